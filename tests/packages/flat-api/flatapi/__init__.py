from flatapi._native import lib

magic = lib.magic
