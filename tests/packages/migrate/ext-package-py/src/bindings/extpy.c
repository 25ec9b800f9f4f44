#include "clamp.h"
#include "scale.h"

int extpy_clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }

long extpy_scale(long x, long factor) { return x * factor; }
