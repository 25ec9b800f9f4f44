from pinned._twice import lib

twice = lib.twice
