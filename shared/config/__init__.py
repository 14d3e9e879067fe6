"""Config models, one per module (``<module>_config``). Vendor keys in the JSON Schema
(``x-widget``, ``x-options-from``, ``x-visible-when``, ``x-check``, ``x-live``) drive the
dashboard's generated forms."""

from shared.config.base import ModuleConfig
from shared.config.fetch import FetchConfig, FetchMode
from shared.config.recognition import SongRecognitionConfig, UIRecognitionConfig
from shared.config.scriptor import ScriptorConfig
from shared.config.workflow import WorkflowConfig, WorkflowMode

__all__ = [
    "FetchConfig",
    "FetchMode",
    "ModuleConfig",
    "ScriptorConfig",
    "SongRecognitionConfig",
    "UIRecognitionConfig",
    "WorkflowConfig",
    "WorkflowMode",
]
