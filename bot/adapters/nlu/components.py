"""Rasa NLU components: thin adapters from Rasa's graph to the catalog matcher and department model.

- ``ScriptNormalizer`` (first in the pipeline) folds traditional characters to simplified, so every later
  component reads one script; the parse keeps ``original_text`` and ``script`` so the dialogue can
  answer in traditional characters.
- ``CatalogEntityExtractor`` finds items, departments, towns and record numbers (entities) and keeps
  every raw phrase match in ``catalog_matches`` for the router.
- ``RequestTypeClassifier`` predicts the request type (Rasa's intent) with bot.nlu.text_classifier, in
  place of DIET and its featurizers (#16: the same quality at a fraction of the cost, deterministic).
- ``DepartmentClassifier`` trains the department model on examples whose intent block carries
  ``metadata: {department: CODE}``, the catalog's own words and the non-government intents (as
  "no department"), and adds ``department_ranking`` and ``government_probability``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    METADATA,
    METADATA_INTENT,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from typing_extensions import Self

from bot.catalog import get_catalog
from bot.catalog.matcher import longest_per_kind, matcher_for
from bot.inputs import clean_text
from bot.nlu.script import is_traditional, to_simplified
from bot.nlu.text_classifier import TextClassifier
from bot.request_types import NON_GOVERNMENT_TYPES
from bot.routing.department_model import NONE, DepartmentModel, catalog_examples

logger = logging.getLogger(__name__)

CATALOG_MATCHES = "catalog_matches"
DEPARTMENT_RANKING = "department_ranking"
GOVERNMENT_PROBABILITY = "government_probability"
ORIGINAL_TEXT = "original_text"
SCRIPT = "script"
TRADITIONAL = "traditional"


class _Stateless(GraphComponent):
    """A component with no configuration or trained state: Rasa's construction hook makes a plain instance."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ScriptNormalizer(_Stateless):
    """Traditional → simplified before tokenising; marks the message when it was written traditional."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            simplified = to_simplified(text)
            if simplified == text:
                continue
            message.set(TEXT, simplified)
            message.set(ORIGINAL_TEXT, text, add_to_output=True)
            if is_traditional(text):
                message.set(SCRIPT, TRADITIONAL, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                # Every door hands the assistant text in NFKC form (bot.inputs.clean_text: "，" → ",", "？" → "?");
                # the models learn from the same form, or a full-width "？" they learned would never be seen.
                message.set(TEXT, to_simplified(clean_text(text)))
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CatalogEntityExtractor(_Stateless, EntityExtractorMixin):
    """Entities from the live catalog (no training: a catalog edit takes effect on restart)."""

    def __init__(self) -> None:
        self._matcher = matcher_for(get_catalog())

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            matches = self._matcher.find(text)
            message.set(CATALOG_MATCHES, [asdict(m) for m in matches], add_to_output=True)
            entities = [
                {
                    "entity": m.kind,
                    "value": m.value,
                    "start": m.start,
                    "end": m.end,
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
                for m in longest_per_kind(matches)
                if m.kind != "problem"
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def _words(message: Message) -> list[str]:
    """The tokenizer's words (jieba with the catalog dictionary), when a tokenizer ran."""
    return [t.text for t in message.get(TOKENS_NAMES[TEXT]) or []]


class _SavedModel(Protocol):
    def save(self, directory: Path) -> None: ...


M = TypeVar("M", bound=_SavedModel)


class _TrainedModelComponent(GraphComponent, Generic[M]):
    """What both trained components share: Rasa's construction, and a model saved to and loaded from its
    resource. Subclasses say how to load their model (``_load_model``) and what to do with it."""

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, model: M | None = None
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        with model_storage.read_from(resource) as directory:
            return cls(config, model_storage, resource, cls._load_model(directory))

    @staticmethod
    def _load_model(directory: Path) -> M:
        raise NotImplementedError

    def _keep(self, model: M, what: str, examples: int) -> Resource:
        """Keeps the trained model and saves it into the component's resource."""
        self._model = model
        with self._storage.write_to(self._resource) as directory:
            model.save(directory)
        logger.info("%s trained on %d examples", what, examples)
        return self._resource


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RequestTypeClassifier(_TrainedModelComponent[TextClassifier]):
    """Rasa's intent and intent ranking from a linear model over characters and words."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"alpha": 1e-5, "min_df": 2, "ranking_length": 10}

    @staticmethod
    def _load_model(directory: Path) -> TextClassifier:
        return TextClassifier.load(directory)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(m.get(TEXT), _words(m), str(m.get(INTENT))) for m in training_data.intent_examples]
        model = TextClassifier.train(examples, alpha=float(self._config["alpha"]), min_df=int(self._config["min_df"]))
        return self._keep(model, "request-type model", len(examples))

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        for message in messages:
            ranking = self._model.ranking(message.get(TEXT) or "", _words(message))
            ranked = [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: p} for n, p in ranking]
            message.set(INTENT, ranked[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranked[: int(self._config["ranking_length"])], add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class DepartmentClassifier(_TrainedModelComponent[DepartmentModel]):
    """Ranks departments for every message; the request type is RequestTypeClassifier's."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"alpha": 1e-5, "use_catalog": True, "top": 5}

    @staticmethod
    def _load_model(directory: Path) -> DepartmentModel:
        return DepartmentModel.load(directory)

    def train(self, training_data: TrainingData) -> Resource:
        examples: list[tuple[str, str]] = []
        for message in training_data.intent_examples:
            meta = (message.get(METADATA) or {}).get(METADATA_INTENT) or {}
            code = meta.get("department") if isinstance(meta, dict) else None
            if code:
                examples.append((message.get(TEXT), str(code)))
            elif message.get(INTENT) in NON_GOVERNMENT_TYPES:  # teaches "no department"
                examples.append((message.get(TEXT), NONE))
        if self._config["use_catalog"]:
            examples += catalog_examples(get_catalog())
        model = DepartmentModel.train(examples, alpha=float(self._config["alpha"]))
        return self._keep(model, "department model", len(examples))

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        for message in messages:
            ranking, p_government = self._model.predict(message.get(TEXT) or "", top=int(self._config["top"]))
            message.set(DEPARTMENT_RANKING, [[c, round(p, 4)] for c, p in ranking], add_to_output=True)
            message.set(GOVERNMENT_PROBABILITY, round(p_government, 4), add_to_output=True)
        return messages
