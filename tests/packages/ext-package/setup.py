from setuptools import setup

setup(ext_package="extpkg")
