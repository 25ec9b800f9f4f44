import sys

from cfgonly import mul


def main():
    print(mul(int(sys.argv[1]), int(sys.argv[2])))


if __name__ == "__main__":
    main()
