import sys

from mixabi import absolute


def main():
    print(absolute(int(sys.argv[1])))


if __name__ == "__main__":
    main()
