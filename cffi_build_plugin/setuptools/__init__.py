"""The setuptools glue: the hook, one mixin per wrapped command, and the state they share."""

#: Where the hook keeps its BuildState on a Distribution (read before anything is imported).
STATE_ATTRIBUTE = "_cffi_build_plugin_state"
