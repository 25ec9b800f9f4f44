def pointer_bits():
    from custcmd._probe import lib

    return lib.pointer_bits()
