#include "ring_size.h"

typedef struct { long items[SHIPIN_RING_SIZE]; int start; int count; } shipin_ring;

void shipin_init(shipin_ring *ring);
int shipin_push(shipin_ring *ring, long value);
long shipin_sum(const shipin_ring *ring);
