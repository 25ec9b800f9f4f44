const char *implementation(void) { return "fast"; }
