"""The NLU components learn from text in the form the doors deliver it."""

from __future__ import annotations

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.adapters.nlu.components import ScriptNormalizer
from bot.inputs import clean_text


def test_training_text_takes_the_form_every_door_delivers() -> None:
    """Doors pass text through clean_text (NFKC: "，" → ","); a model trained on the raw full-width form
    would learn features ("吗？") that no served message ever has."""
    raw = "請問補辦身份證要帶什麼材料？（急）"
    data = TrainingData([Message(data={TEXT: raw, "intent": "consult_item"})])
    ScriptNormalizer().process_training_data(data)
    trained = data.training_examples[0].get(TEXT)
    served = ScriptNormalizer().process([Message(data={TEXT: clean_text(raw)})])[0].get(TEXT)
    assert trained == served == "请问补办身份证要带什么材料?(急)"
