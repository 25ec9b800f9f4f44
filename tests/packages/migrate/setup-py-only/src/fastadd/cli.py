import sys

from fastadd import add


def main():
    a, b = (int(x) for x in sys.argv[1:3])
    print(add(a, b))
