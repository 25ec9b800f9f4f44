// pypyonly._speedups: the CPython build's extension (PyPy builds the cffi module instead).
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <numeric>
#include <vector>

static PyObject *add(PyObject *, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return nullptr;
    return PyLong_FromLong(a + b);
}

static PyObject *total(PyObject *, PyObject *arg) {
    PyObject *seq = PySequence_Fast(arg, "total() takes a sequence of integers");
    if (seq == nullptr) return nullptr;
    std::vector<long> values;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if (v == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return nullptr;
        }
        values.push_back(v);
    }
    Py_DECREF(seq);
    return PyLong_FromLong(std::accumulate(values.begin(), values.end(), 0L));
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "a + b"},
    {"total", total, METH_O, "the sum of a sequence of integers"},
    {nullptr, nullptr, 0, nullptr},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", nullptr, -1, methods};

PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
