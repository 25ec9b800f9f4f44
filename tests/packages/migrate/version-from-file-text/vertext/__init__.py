def halve(x):
    from vertext._halve import lib

    return lib.halve(x)
