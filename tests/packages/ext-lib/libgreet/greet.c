#include "greet.h"

int greet_answer(void) { return 42; }
const char *greet_name(void) { return "libgreet"; }
