/*
 * The clone lexer's walk over a tree-sitter tree, in C (ctxlens.clones.lexwalk says what
 * it returns and when it is used; ctxlens.clones.normalize.lex_file is the same walk in
 * Python, and the reference).
 *
 * The walk visits every node of a file once, in the order lex_file's Python loop does
 * (children pushed in order, the last popped first), and sorts each node by the action the
 * lexicon gives its kind: keyword, identifier, literal kind, comment, skipped, special (a
 * call whose callee is found here, or a statement dropped when its text matches a regex),
 * or entered. In Python the walk costs a `Node` object per node; here a node is a 32-byte
 * TSNode on a stack.
 *
 * The tree comes from py-tree-sitter: its `Node` object holds the TSNode right after the
 * object header. That layout, and the tree's internals the vendored runtime reads, belong to
 * one version of py-tree-sitter (TREE_SITTER_BINDING_VERSION); the Python side uses this
 * module only when that version is the one installed and a check of the root node agrees.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "tree_sitter/api.h"

#define TREE_SITTER_BINDING_VERSION "0.26.1"

/* Actions, as in normalize.py. */
enum { KEYWORD = 0, IDENT = 1, DESCEND = 2, SKIP = 3, COMMENT = 4, SPECIAL = 5, LITERAL = 8 };
enum { STEP_NONE = 0, STEP_FIRST = -1, STEP_LAST = -2 };
#define KINDS 65536

/* py-tree-sitter 0.26's Node object (tree_sitter/binding/types.h). */
typedef struct {
    PyObject_HEAD
    TSNode node;
    PyObject *children;
    PyObject *tree;
} BindingNode;

typedef struct {
    int64_t *items;
    size_t length, capacity;
} Buffer;

/* zlib's crc32 (IEEE, reflected), of each token's text: its code before normalisation. */
static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static int64_t crc32_of(const unsigned char *bytes, int64_t length, int64_t start,
                        int64_t end) {
    /* As Python slices: a range past the bytes (a tree of other data) is cut, not overrun. */
    if (end > length) end = length;
    uint32_t c = 0xFFFFFFFFu;
    for (int64_t i = start; i < end; i++) c = crc_table[(c ^ bytes[i]) & 0xFF] ^ (c >> 8);
    return (int64_t)(c ^ 0xFFFFFFFFu);
}

/* Room for one more item in a growable array (items, length, capacity), doubling it. */
static int reserve(void **items, size_t length, size_t *capacity, size_t item_size) {
    if (length < *capacity) return 0;
    size_t grown = *capacity ? *capacity * 2 : 256;
    void *moved = PyMem_Realloc(*items, grown * item_size);
    if (!moved) {
        PyErr_NoMemory();
        return -1;
    }
    *items = moved;
    *capacity = grown;
    return 0;
}

static int push(Buffer *buffer, int64_t value) {
    if (reserve((void **)&buffer->items, buffer->length, &buffer->capacity, sizeof(int64_t)))
        return -1;
    buffer->items[buffer->length++] = value;
    return 0;
}

static PyObject *as_bytes(Buffer *buffer) {
    return PyBytes_FromStringAndSize((const char *)buffer->items,
                                     (Py_ssize_t)(buffer->length * sizeof(int64_t)));
}

typedef struct {
    TSNode *items;
    size_t length, capacity;
} Stack;

static int stack_push(Stack *stack, TSNode node) {
    if (reserve((void **)&stack->items, stack->length, &stack->capacity, sizeof(TSNode)))
        return -1;
    stack->items[stack->length++] = node;
    return 0;
}

static int push_children(Stack *stack, TSTreeCursor *cursor, TSNode node) {
    ts_tree_cursor_reset(cursor, node);
    if (!ts_tree_cursor_goto_first_child(cursor)) return 0;
    do {
        if (stack_push(stack, ts_tree_cursor_current_node(cursor)) < 0) return -1;
    } while (ts_tree_cursor_goto_next_sibling(cursor));
    return 0;
}

/* normalize._callee_start: the start byte of the identifier a call calls, or -1. */
static int64_t callee_start(TSNode call, int32_t step, const uint8_t *actions,
                            const int32_t *steps) {
    TSNode target = call;
    for (;;) {
        if (step == STEP_FIRST) {
            if (!ts_node_named_child_count(target)) return -1;
            target = ts_node_named_child(target, 0);
        } else if (step == STEP_LAST) {
            uint32_t count = ts_node_named_child_count(target);
            if (!count) return -1;
            target = ts_node_named_child(target, count - 1);
        } else {
            target = ts_node_child_by_field_id(target, (TSFieldId)step);
        }
        if (ts_node_is_null(target)) return -1;
        TSSymbol kind = ts_node_symbol(target);
        if (actions[kind] == IDENT) return (int64_t)ts_node_start_byte(target);
        step = steps[kind];
        if (step == STEP_NONE) return -1;
    }
}

enum { OUT_KEYWORDS, OUT_LEAVES, OUT_IDENTS, OUT_LITERALS, OUT_COMMENTS, OUT_CALLED, OUTS };

/*
 * walk(node, actions, call_steps, callee_steps, excluded, data, want_comments)
 *   node: the root tree_sitter.Node; actions: bytes[65536], per kind id;
 *   call_steps: int32[65536], a special kind's step to its callee (0: none);
 *   callee_steps: int32[65536], normalize._Compiled.steps (0: none);
 *   excluded: dict kind id -> compiled bytes regex, for specials that have one;
 *   data: the file's bytes; want_comments: collect comments.
 * Returns six bytes objects of int64: keywords (kind, start, end)*, leaves (start, end, crc)*,
 * identifiers (start, end, crc)*, literals (literal index, start, end, crc)*,
 * comments (start, end)*, called starts; crc: zlib.crc32 of the token's bytes.
 */
static PyObject *walk(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *node_object, *excluded, *data;
    Py_buffer actions_view, call_view, callee_view;
    int want_comments;
    if (!PyArg_ParseTuple(args, "Oy*y*y*O!Sp", &node_object, &actions_view, &call_view,
                          &callee_view, &PyDict_Type, &excluded, &data, &want_comments))
        return NULL;
    PyObject *result = NULL;
    Buffer out[OUTS];
    memset(out, 0, sizeof(out));
    Stack stack = {0};
    TSTreeCursor cursor;
    int have_cursor = 0;
    if (strcmp(Py_TYPE(node_object)->tp_name, "tree_sitter.Node") != 0 ||
        actions_view.len != KINDS || call_view.len != KINDS * 4 || callee_view.len != KINDS * 4) {
        PyErr_SetString(PyExc_TypeError, "walk: a tree_sitter.Node and tables of 65536 kinds");
        goto done;
    }
    const uint8_t *actions = actions_view.buf;
    const unsigned char *text = (const unsigned char *)PyBytes_AS_STRING(data);
    const int64_t text_length = (int64_t)PyBytes_GET_SIZE(data);
    const int32_t *call_steps = call_view.buf, *callee_steps = callee_view.buf;
    TSNode root = ((BindingNode *)node_object)->node;
    cursor = ts_tree_cursor_new(root);
    have_cursor = 1;
    if (stack_push(&stack, root) < 0) goto done;
    while (stack.length) {
        TSNode node = stack.items[--stack.length];
        TSSymbol kind = ts_node_symbol(node);
        uint8_t action = actions[kind];
        int64_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
        if (action == KEYWORD) {
            if (push(&out[OUT_KEYWORDS], kind) || push(&out[OUT_KEYWORDS], start) ||
                push(&out[OUT_KEYWORDS], end))
                goto done;
        } else if (action == IDENT) {
            if (push(&out[OUT_IDENTS], start) || push(&out[OUT_IDENTS], end) ||
                push(&out[OUT_IDENTS], crc32_of(text, text_length, start, end)))
                goto done;
        } else if (action == DESCEND) {
            if (ts_node_child_count(node)) {
                if (push_children(&stack, &cursor, node) < 0) goto done;
            } else if (push(&out[OUT_LEAVES], start) || push(&out[OUT_LEAVES], end) ||
                       push(&out[OUT_LEAVES], crc32_of(text, text_length, start, end))) {
                goto done;
            }
        } else if (action >= LITERAL) {
            if (push(&out[OUT_LITERALS], action - LITERAL) || push(&out[OUT_LITERALS], start) ||
                push(&out[OUT_LITERALS], end) ||
                push(&out[OUT_LITERALS], crc32_of(text, text_length, start, end)))
                goto done;
        } else if (action == SPECIAL) {
            PyObject *key = PyLong_FromLong(kind);
            if (!key) goto done;
            PyObject *pattern = PyDict_GetItemWithError(excluded, key);  /* borrowed */
            Py_DECREF(key);
            if (!pattern && PyErr_Occurred()) goto done;
            if (pattern) {
                PyObject *match = PyObject_CallMethod(pattern, "fullmatch", "OLL", data,
                                                      (long long)start, (long long)end);
                if (!match) goto done;
                int matched = match != Py_None;
                Py_DECREF(match);
                if (matched) continue;
            }
            int32_t step = call_steps[kind];
            if (step != STEP_NONE) {
                int64_t callee = callee_start(node, step, actions, callee_steps);
                if (callee >= 0 && push(&out[OUT_CALLED], callee)) goto done;
            }
            if (push_children(&stack, &cursor, node) < 0) goto done;
        } else if (action == COMMENT && want_comments) {
            if (push(&out[OUT_COMMENTS], start) || push(&out[OUT_COMMENTS], end)) goto done;
        }
    }
    result = PyTuple_New(OUTS);
    if (!result) goto done;
    for (int i = 0; i < OUTS; i++) {
        PyObject *bytes = as_bytes(&out[i]);
        if (!bytes) {
            Py_CLEAR(result);
            goto done;
        }
        PyTuple_SET_ITEM(result, i, bytes);
    }
done:
    if (have_cursor) ts_tree_cursor_delete(&cursor);
    PyMem_Free(stack.items);
    for (int i = 0; i < OUTS; i++) PyMem_Free(out[i].items);
    PyBuffer_Release(&actions_view);
    PyBuffer_Release(&call_view);
    PyBuffer_Release(&callee_view);
    return result;
}

/* (kind id, start byte, end byte, child count, named child count) of a node, as this module
 * reads it: the Python side compares it with what py-tree-sitter says before trusting walk. */
static PyObject *node_facts(PyObject *Py_UNUSED(module), PyObject *node_object) {
    if (strcmp(Py_TYPE(node_object)->tp_name, "tree_sitter.Node") != 0) {
        PyErr_SetString(PyExc_TypeError, "node_facts: a tree_sitter.Node");
        return NULL;
    }
    TSNode node = ((BindingNode *)node_object)->node;
    return Py_BuildValue("(IIIII)", (unsigned)ts_node_symbol(node), ts_node_start_byte(node),
                         ts_node_end_byte(node), ts_node_child_count(node),
                         ts_node_named_child_count(node));
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_VARARGS, "The clone lexer's walk over a tree (see lexwalk.c)."},
    {"node_facts", node_facts, METH_O, "A node as this module reads it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ctxlens._lexwalk",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__lexwalk(void) {
    crc_init();
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "BINDING_VERSION", TREE_SITTER_BINDING_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
