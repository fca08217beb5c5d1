"""WeChat's protocol and API, adapted: signatures, AES and XML (wechatpy, defusedxml), the HTTP client
for WeChat's API (aiohttp), the shared access token and the outbox delivery. The channel itself is
bot/adapters/channels/wechat.py; framework-free WeChat logic (rendering, menu, plans) is bot/wechat/."""
