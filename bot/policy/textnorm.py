"""One spelling for the words of a dispute, so that cues and the learned model see the same text.

Applicants write in simplified or traditional characters, with full-width or half-width letters and
digits, and hotline work orders wrap every message in the same boilerplate. None of that tells who
rejected a matter or why, so it is folded away before cues or n-grams look at the text.
"""

from __future__ import annotations

import re
import unicodedata

# Traditional → simplified for the characters that carry the facts of a dispute (tiers, grounds,
# matters, Cantonese function words). Each token is one traditional then one simplified character.
_PAIRS = """
係系 個个 說说 話话 審审 門门 區区 領领 導导 層层 級级 規规 劃划 許许 證证 請请 資资 錄录 單单 據据
條条 準准 屬属 於于 圍围 範范 關关 負负 責责 這这 裡里 裏里 沒没 無无 為为 發发 環环 評评 築筑 設设
計计 圖图 紙纸 辦办 應应 該该 們们 過过 會会 開开 後后 時时 間间 對对 見见 現现 問问 題题 歷历 遺遗
處处 經经 營营 業业 執执 稅税 務务 總总 轉转 讓让 給给 還还 頭头 樣样 點点 麼么 嗎吗 聽听 講讲 覺觉
險险 醫医 衛卫 療疗 藥药 產产 權权 記记 廠厂 電电 氣气 車车 運运 輸输 輛辆 駕驾 駛驶 學学 園园 養养
濟济 貧贫 殘残 軍军 農农 漁渔 質质 檢检 驗验 測测 標标 確确 認认 議议 決决 駁驳 絕绝 額额 齊齐 補补
長长 員员 廳厅 樓楼 臺台 檯台 櫃柜 書书 復复 複复 預预 約约 傳传 統统 專专 項项 續续 納纳 繳缴 費费
銀银 價价 實实 際际 鄰邻 戶户 遷迁 讀读 師师 職职 稱称 數数 庫库 倉仓 舊旧 違违 當当 邊边 緊紧 訴诉
訟讼 誤误 錯错 識识 鎮镇 廣广 國国 與与 從从 來来 兩两 幾几 萬万 簽签 蓋盖 爭争 難难 聯联 優优 貼贴
積积 類类 別别 裝装 護护 網网 線线 頁页 號号 選选 勞劳 動动 諉诿 釋释 義义 強强 況况 滿满 夠够 達达
連连 異异 構构 機机 體体 態态 條条 鑑鉴 鑒鉴 儲储 險险 災灾 號号 碼码 億亿 億亿 縣县 鄉乡 華华 東东
灣湾 龍龙 樂乐 藝艺 館馆 場场 擴扩 興兴 歸归 攤摊 參参 獨独 雙双 親亲 屬属 籌筹 組组 織织 協协 調调
訊讯 話话 紀纪 錄录 罰罚 懲惩 審审 閱阅 覽览 臨临 時时 許许 證证 內内 嚴严 拋抛 棄弃 牆墙 壓压
獅狮 瀝沥 竈灶 羅罗 崗岗 窯窑 帶带 剛刚 謝谢 媽妈 幫帮 詢询 錢钱 寫写 報报 熱热 語语 舖铺 鋪铺 飯饭 婦妇
兒儿 孫孙 爺爷 撥拨 煩烦 訂订 帳账 賬账 辭辞 離离 歲岁 齡龄 遞递 備备 須须 檔档 鐵铁 橋桥 莊庄 鹽盐 寬宽
"""
_TO_SIMPLIFIED = str.maketrans({tok[0]: tok[1] for tok in _PAIRS.split()})


def to_simplified(text: str) -> str:
    """Traditional characters of the table above folded to simplified; everything else unchanged."""
    return text.translate(_TO_SIMPLIFIED)


# Hotline and 12345 work-order boilerplate: who is speaking says nothing about the facts.
_BOILERPLATE = re.compile(
    r"(12345)?(工单(内容|编号)?|市民热线转办单|转办单)[:：]?|"
    r"(市民|来电人|来电|群众|网友|街坊|反映人|诉求人|来信人|投诉人|申请人)(用粤语)?(来电|来信|打电话嚟)?"
    r"(反映|咨询|投诉|求助|表示|称|诉称)[:：，,]?"
)


# A letter's salutation names whom it is written to ("尊敬的区领导：", "致区政府办公室："), not who
# rejected the matter; left in, it reads as a rejection at that tier.
_SALUTATION = re.compile(r"^\s*((尊敬的|致)[^:,。!?]{1,20}[:,]|[^:,。!?]{0,10}(领导|局长|区长|主任|信箱|办公室):)")


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits), simplified characters, lower case, no salutation or
    work-order boilerplate."""
    folded = unicodedata.normalize("NFKC", text).translate(_TO_SIMPLIFIED).lower()
    return _BOILERPLATE.sub(" ", _SALUTATION.sub(" ", folded)).strip()
