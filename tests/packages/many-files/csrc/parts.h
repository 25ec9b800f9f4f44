/* Every part is scaled by SCALE: a change here must reach every object (the cache test). */
#define SCALE 3
long part_a(long x);
long part_b(long x);
long part_c(long x);
long part_d(long x);
long part_e(long x);
long part_f(long x);
