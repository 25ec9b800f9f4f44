from disco._square import lib

square = lib.square
