#include "shipin.h"

void shipin_init(shipin_ring *ring) { ring->start = 0; ring->count = 0; }

int shipin_push(shipin_ring *ring, long value)
{
    int dropped = ring->count == SHIPIN_RING_SIZE;
    int end = (ring->start + ring->count) % SHIPIN_RING_SIZE;
    ring->items[end] = value;
    if (dropped)
        ring->start = (ring->start + 1) % SHIPIN_RING_SIZE;
    else
        ring->count++;
    return dropped;
}

long shipin_sum(const shipin_ring *ring)
{
    long total = 0;
    for (int i = 0; i < ring->count; i++)
        total += ring->items[(ring->start + i) % SHIPIN_RING_SIZE];
    return total;
}
