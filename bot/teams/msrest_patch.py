"""Speed fixes for msrest (botbuilder's HTTP and (de)serialisation layer, archived upstream).

Each fix gives exactly the result msrest gives; only the work to get there is less.

- Retry policy: botbuilder builds a connector client per message (we keep them now, see
  connectors.py, but token clients and others still build) and each one builds msrest's retry
  policy with `[i for i in range(999) if i not in safe_codes]` over a 500-element list: half a
  million comparisons, measured at about 15 % of the bot's CPU under load. The codes, as a set.
- Serialisation: every outgoing activity is serialised by msrest, and every proactive one is first
  deserialised from our JSON. Cards are plain JSON trees typed `object`, walked node by node, and
  at every string msrest raises and catches two exceptions (`data.value` on a `str`, then the
  Python 2 name `unicode`) and calls `eval("int")` for every number. Plain `str`, `int`, `float`
  and `bool` values (exact types, not subclasses such as enums) come back as they are, which is
  what msrest returns for them; anything else still takes msrest's own path.
- Models: msrest walks every attribute of a model, and for each one that is None (most of an
  Activity's 60-odd) it splits the key with a regular expression and raises and catches a
  ValueError before it skips it. The walk now sees only the attributes that hold a value (the
  key transformers msrest ships pass the value through, so a None is skipped either way).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msrest.serialization import (
    Deserializer,
    Model,
    Serializer,
    attribute_transformer,
    full_restapi_key_transformer,
    last_restapi_key_transformer,
)
from msrest.universal_http.requests import ClientRetryPolicy

_PLAIN = frozenset({str, int, float, bool, type(None)})
_CONVERT: dict[str, Callable[[Any], Any]] = {"int": int, "float": float, "bool": bool}
_PATCHED = "__turns_fast__"
# msrest's own key transformers: each returns the value it is given, so a None stays None.
_VALUE_KEEPING = frozenset({attribute_transformer, full_restapi_key_transformer, last_restapi_key_transformer})


class _Present:
    """A model seen through the attributes that hold a value; everything else reads the model."""

    def __init__(self, model: Model) -> None:
        self._model = model
        self._attribute_map = {
            name: desc for name, desc in model._attribute_map.items() if getattr(model, name, None) is not None
        }

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def speed_up_msrest_retry_policy() -> None:
    codes = ClientRetryPolicy.safe_codes
    if not isinstance(codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(codes)  # type: ignore[assignment]  # only used with "in"


def speed_up_msrest() -> None:
    """All fixes; idempotent (app start-up and tests may call it more than once)."""
    speed_up_msrest_retry_policy()
    if getattr(Serializer, _PATCHED, False):
        return
    _patch_serializer()
    _patch_deserializer()
    setattr(Serializer, _PATCHED, True)


def _plain_kwargs(kwargs: dict[str, Any]) -> bool:
    """No custom basic-type serialisers and no XML: msrest's defaults apply (botbuilder's case)."""
    return not kwargs.get("basic_types_serializers") and not kwargs.get("is_xml")


def _patch_serializer() -> None:
    serializer: Any = Serializer  # msrest's classes, patched in place (their annotations do not fit)
    unicode_of = serializer.serialize_unicode.__func__
    basic_of = serializer.serialize_basic.__func__
    object_of = serializer.serialize_object
    serialize_of = serializer._serialize

    def _serialize(self: Any, target_obj: Any, data_type: str | None = None, **kwargs: Any) -> Any:
        if (
            data_type is None
            and isinstance(target_obj, Model)
            and kwargs.get("key_transformer", self.key_transformer) in _VALUE_KEEPING
            and not kwargs.get("is_xml")
            and not hasattr(type(target_obj), "_xml_map")
        ):
            target_obj = _Present(target_obj)
        return serialize_of(self, target_obj, data_type, **kwargs)

    def serialize_unicode(cls: Any, /, data: Any) -> Any:
        if type(data) is str:
            return data  # msrest: no `.value`, and `unicode` is undefined, so `str(data)`: the same string
        return unicode_of(cls, data)

    def serialize_basic(cls: Any, /, data: Any, data_type: str, **kwargs: Any) -> Any:
        if _plain_kwargs(kwargs):
            if data_type == "str":
                return cls.serialize_unicode(data)
            convert = _CONVERT.get(data_type)
            if convert is not None:
                return convert(data)  # msrest: eval(data_type)(data)
        return basic_of(cls, data, data_type, **kwargs)

    def serialize_object(self: Any, attr: Any, **kwargs: Any) -> Any:
        if type(attr) in _PLAIN and _plain_kwargs(kwargs):
            return attr  # msrest: None, or serialize_basic / serialize_unicode of a plain value: itself
        return object_of(self, attr, **kwargs)  # dicts and lists recurse into this one

    serializer.serialize_unicode = classmethod(serialize_unicode)
    serializer.serialize_basic = classmethod(serialize_basic)
    serializer.serialize_object = serialize_object
    serializer._serialize = _serialize


def _patch_deserializer() -> None:
    deserializer: Any = Deserializer
    unicode_of = deserializer.deserialize_unicode
    basic_of = deserializer.deserialize_basic
    object_of = deserializer.deserialize_object

    def deserialize_unicode(data: Any) -> Any:
        if type(data) is str:
            return data  # msrest: not an Enum, `unicode` undefined, so `str(data)`: the same string
        return unicode_of(data)

    def deserialize_basic(self: Any, attr: Any, data_type: str) -> Any:
        if type(attr) is str and data_type == "str":
            return attr
        if data_type in ("int", "float") and type(attr) in _PLAIN:
            return _CONVERT[data_type](attr)  # msrest: eval(data_type)(attr)
        return basic_of(self, attr, data_type)

    def deserialize_object(self: Any, attr: Any, **kwargs: Any) -> Any:
        if type(attr) in _PLAIN:
            return attr  # msrest: None, or deserialize_basic of a plain value: itself
        return object_of(self, attr, **kwargs)  # dicts and lists recurse into this one

    deserializer.deserialize_unicode = staticmethod(deserialize_unicode)
    deserializer.deserialize_basic = deserialize_basic
    deserializer.deserialize_object = deserialize_object
