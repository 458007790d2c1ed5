/* The assembler: .tpu text -> isa_program. Syntax in asm.h and docs/isa.md.
 *
 * Design notes
 *  1. One pass, line by line. Each line is a directive (.dtype .tensor .ub .acc, `core N`) or an
 *     instruction: a mnemonic followed by comma-separated operands. Commas inside [ ] belong to
 *     a tensor block, not to the operand list.
 *  2. Every token keeps its 1-based column, so every error points at the operand at fault.
 *  3. What can be checked from the text alone is checked here (names, syntax, numbers, regions
 *     fitting their buffer, accesses fitting the region they name); the rest (the weight FIFO in
 *     program order, dataflow limits, absolute ranges) is isa_validate's, reported at the
 *     instruction's line and column.
 */
#include "tpu/asm.h"
#include "base/text.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPS 16
/* Input limits: text of any size within the 1 GiB file cap neither exhausts memory nor takes
 * quadratic time. Twice the tiler's instruction bound, so `gemm --emit` output assembles. */
#define ASM_MAX_INSTRUCTIONS (16u << 20)
#define ASM_MAX_NAMES 4096u            /* tensors, and separately regions */

typedef struct {
    const char *s;   /* start (not NUL-terminated: length n) */
    size_t n;
    int col;         /* 1-based */
} tok;

typedef struct {
    const char *file;
    const tp_tpu_cfg *t;
    isa_program *p;
    tp_err *err;
    int line;
    int core;
    bool seen_ins;
    /* open-addressing index of declared names: 0 empty, else 2*index + kind + 1 (kind 0 a
     * tensor, 1 a region), so operand lookups take constant time however many names exist */
    uint32_t *names;
    uint32_t names_cap;
} actx;

static tp_status fail(actx *a, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static tp_status fail(actx *a, int col, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tp_err_at(a->err, TP_ERR_ASM, a->file, a->line, col, "%s", msg);
}

static bool teq(tok t, const char *s)
{
    return strlen(s) == t.n && !strncmp(t.s, s, t.n);
}

static void tcopy(tok t, char *buf, size_t cap)
{
    size_t n = t.n < cap - 1 ? t.n : cap - 1;
    memcpy(buf, t.s, n);
    buf[n] = 0;
}

static tok trim(tok t)
{
    while (t.n && isspace((unsigned char)t.s[0])) {
        t.s++;
        t.n--;
        t.col++;
    }
    while (t.n && isspace((unsigned char)t.s[t.n - 1]))
        t.n--;
    return t;
}

/* Parses a whole number (decimal or 0x hex) filling the token. */
static int parse_u64(tok t, uint64_t *out)
{
    char buf[64];
    if (t.n == 0 || t.n >= sizeof buf || !isdigit((unsigned char)t.s[0]))
        return -1;
    tcopy(t, buf, sizeof buf);
    /* decimal, or hex after 0x: never octal ("010" is ten), as docs/isa.md says */
    bool hex = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
    const char *digits = hex ? buf + 2 : buf;
    if (!isxdigit((unsigned char)digits[0]) || (!hex && !isdigit((unsigned char)digits[0])))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static tp_status need_u64(actx *a, tok t, const char *what, uint64_t max, uint64_t *out)
{
    char buf[64];
    if (parse_u64(t, out)) {
        tcopy(t, buf, sizeof buf);
        return fail(a, t.col, "%s: expected a whole number (decimal or 0x hex), got '%s'", what, buf);
    }
    if (*out > max)
        return fail(a, t.col, "%s: %llu is out of range (at most %llu)", what, (unsigned long long)*out,
                    (unsigned long long)max);
    return TP_OK;
}

static const char *const directives[] = {".dtype", ".tensor", ".ub", ".acc", "core"};

static int parse_tensor_dtype(tok t, npy_dtype *out)
{
    static const struct { const char *name; npy_dtype dt; } names[] = {
        {"int8", NPY_INT8}, {"int32", NPY_INT32}, {"float32", NPY_F32}, {"f32", NPY_F32}, {"bf16", NPY_BF16}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (teq(t, names[i].name)) {
            *out = names[i].dt;
            return 0;
        }
    return -1;
}

static uint32_t name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static const char *entry_name(const isa_program *p, uint32_t e)
{
    uint32_t idx = (e - 1) / 2;
    return (e - 1) % 2 ? p->regions[idx].name : p->tensors[idx].name;
}

/* The entry named t, or 0. */
static uint32_t name_find(const actx *a, tok t)
{
    if (!a->names_cap)
        return 0;
    for (uint32_t h = name_hash(t.s, t.n) & (a->names_cap - 1);; h = (h + 1) & (a->names_cap - 1)) {
        uint32_t e = a->names[h];
        if (!e || teq(t, entry_name(a->p, e)))
            return e;
    }
}

static void name_put(actx *a, uint32_t e)
{
    const char *nm = entry_name(a->p, e);
    uint32_t h = name_hash(nm, strlen(nm)) & (a->names_cap - 1);
    while (a->names[h])
        h = (h + 1) & (a->names_cap - 1);
    a->names[h] = e;
}

/* Records the newest tensor (kind 0) or region (kind 1); -1 when out of memory. */
static int name_add(actx *a, uint32_t kind)
{
    const isa_program *p = a->p;
    uint32_t total = p->n_tensors + p->n_regions;
    if (2 * total > a->names_cap) {
        uint32_t cap = a->names_cap ? a->names_cap * 2 : 64;
        uint32_t *t = calloc(cap, sizeof *t);
        if (!t)
            return -1;
        free(a->names);
        a->names = t;
        a->names_cap = cap;
        for (uint32_t i = 0; i < p->n_tensors; i++)
            name_put(a, 2 * i + 1);
        for (uint32_t i = 0; i < p->n_regions; i++)
            name_put(a, 2 * i + 2);
        return 0;
    }
    name_put(a, 2 * ((kind ? p->n_regions : p->n_tensors) - 1) + kind + 1);
    return 0;
}

static const struct isa_region *find_region(const actx *a, tok t)
{
    uint32_t e = name_find(a, t);
    return e && (e - 1) % 2 ? &a->p->regions[(e - 1) / 2] : NULL;
}

static int find_tensor(const actx *a, tok t)
{
    uint32_t e = name_find(a, t);
    return e && (e - 1) % 2 == 0 ? (int)((e - 1) / 2) : -1;
}

/* Splits s (length n, starting at column col) on top-level commas. */
static int split_ops(actx *a, const char *s, size_t n, int col, tok *ops, int *n_ops)
{
    int depth = 0, k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] == '[')
            depth++;
        else if (i < n && s[i] == ']')
            depth--;
        if (i == n || (s[i] == ',' && depth == 0)) {
            if (k == MAX_OPS)
                return fail(a, col + (int)i, "too many operands"), -1;
            tok t = trim((tok){s + start, i - start, col + (int)start});
            if (t.n == 0) {
                if (i == n && k == 0)
                    break;   /* no operands at all */
                return fail(a, t.col, "empty operand"), -1;
            }
            ops[k++] = t;
            start = i + 1;
        }
    }
    *n_ops = k;
    return 0;
}

/* A UB address operand: number, or region[+number]. Returns region (or NULL) via *reg. */
static tp_status parse_addr(actx *a, tok t, bool acc, const char *what, uint64_t *out,
                            const struct isa_region **reg)
{
    *reg = NULL;
    if (t.n && isdigit((unsigned char)t.s[0]))
        return need_u64(a, t, what, UINT64_MAX >> 1, out);
    size_t i = 0;
    while (i < t.n && t.s[i] != '+')
        i++;
    tok name = trim((tok){t.s, i, t.col});
    const struct isa_region *r = find_region(a, name);
    char buf[64];
    tcopy(name, buf, sizeof buf);
    if (!r)
        return fail(a, t.col, "%s: unknown %s region '%s' (declare it with %s)", what, acc ? "accumulator" : "UB",
                    buf, acc ? ".acc NAME FIRST_ROW ROWS" : ".ub NAME BASE BYTES");
    if (r->acc != acc)
        return fail(a, t.col, "%s: '%s' is %s region, expected %s region", what, buf,
                    r->acc ? "an accumulator" : "a UB", acc ? "an accumulator" : "a UB");
    uint64_t off = 0;
    if (i < t.n) {
        tok o = trim((tok){t.s + i + 1, t.n - i - 1, t.col + (int)i + 1});
        tp_status rc = need_u64(a, o, what, UINT64_MAX >> 2, &off);
        if (rc)
            return rc;
        if (off >= r->size)
            return fail(a, o.col, "%s: offset %llu is outside region '%s' (%llu %s)", what,
                        (unsigned long long)off, buf, (unsigned long long)r->size, acc ? "rows" : "bytes");
    }
    *reg = r;
    *out = r->base + off;
    return TP_OK;
}

/* An access of `size` (bytes or rows) at addr must stay inside the region it names. */
static tp_status check_in_region(actx *a, tok t, const struct isa_region *r, uint64_t addr, uint64_t size,
                                 const char *what)
{
    if (!r || size == 0)
        return TP_OK;
    if (addr + size > r->base + r->size)
        return fail(a, t.col, "%s: %llu %s at offset %llu exceed region '%s' (%llu %s)", what,
                    (unsigned long long)size, r->acc ? "rows" : "bytes",
                    (unsigned long long)(addr - r->base), r->name, (unsigned long long)r->size,
                    r->acc ? "rows" : "bytes");
    return TP_OK;
}

/* NAME[r0:r1, c0:c1] */
static tp_status parse_block(actx *a, tok t, isa_block *b)
{
    size_t i = 0;
    while (i < t.n && t.s[i] != '[')
        i++;
    tok name = trim((tok){t.s, i, t.col});
    char buf[64];
    tcopy(name, buf, sizeof buf);
    if (i == t.n || t.s[t.n - 1] != ']')
        return fail(a, t.col, "expected a tensor block NAME[r0:r1, c0:c1], got '%.*s'", (int)t.n, t.s);
    int idx = find_tensor(a, name);
    if (idx < 0)
        return fail(a, t.col, "unknown tensor '%s' (declare it with .tensor NAME DTYPE ROWS COLS)", buf);
    /* inside the brackets: two ranges separated by a comma */
    const char *in = t.s + i + 1;
    size_t n = t.n - i - 2;
    int col0 = t.col + (int)i + 1;
    size_t comma = 0;
    while (comma < n && in[comma] != ',')
        comma++;
    if (comma == n)
        return fail(a, col0, "tensor block needs two ranges, rows and columns: %s[r0:r1, c0:c1]", buf);
    tok rng[2] = {trim((tok){in, comma, col0}), trim((tok){in + comma + 1, n - comma - 1, col0 + (int)comma + 1})};
    uint64_t lo[2], hi[2];
    const isa_tensor *tt = &a->p->tensors[idx];
    uint64_t lim[2] = {tt->rows, tt->cols};
    for (int d = 0; d < 2; d++) {
        size_t c = 0;
        while (c < rng[d].n && rng[d].s[c] != ':')
            c++;
        if (c == rng[d].n)
            return fail(a, rng[d].col, "expected a range lo:hi");
        tok l = trim((tok){rng[d].s, c, rng[d].col});
        tok h = trim((tok){rng[d].s + c + 1, rng[d].n - c - 1, rng[d].col + (int)c + 1});
        tp_status rc;
        if ((rc = need_u64(a, l, "range start", UINT32_MAX, &lo[d])) ||
            (rc = need_u64(a, h, "range end", UINT32_MAX, &hi[d])))
            return rc;
        if (hi[d] <= lo[d])
            return fail(a, l.col, "empty range %llu:%llu", (unsigned long long)lo[d], (unsigned long long)hi[d]);
        if (hi[d] > lim[d])
            return fail(a, h.col, "%s %llu is past the end of %s (%u x %u)", d ? "column" : "row",
                        (unsigned long long)hi[d], buf, tt->rows, tt->cols);
    }
    *b = (isa_block){idx, (uint32_t)lo[0], (uint32_t)lo[1], (uint32_t)(hi[0] - lo[0]), (uint32_t)(hi[1] - lo[1])};
    return TP_OK;
}

/* key=value split; returns value token or n=0 if no '='. */
static tok kv(tok t, tok *key)
{
    size_t i = 0;
    while (i < t.n && t.s[i] != '=')
        i++;
    *key = trim((tok){t.s, i, t.col});
    if (i == t.n)
        return (tok){t.s + t.n, 0, t.col + (int)t.n};
    return trim((tok){t.s + i + 1, t.n - i - 1, t.col + (int)i + 1});
}

static tp_status parse_instr(actx *a, tok mn, isa_opcode op, tok *ops, int n_ops)
{
    isa_instr in;
    memset(&in, 0, sizeof in);
    in.op = op;
    in.core = (uint16_t)a->core;
    in.repeat = 1;
    in.scale = 1.0f;
    in.blk.tensor = -1;
    in.out_dtype = a->p->dtype == TP_INT8 ? NPY_INT32 : NPY_F32;
    in.line = a->line;
    in.col = mn.col;
    static const int min_ops[ISA_OP__COUNT] = {[ISA_LOAD] = 2, [ISA_LOADW] = 2, [ISA_MATMUL] = 4,
                                               [ISA_ACTIVATE] = 4, [ISA_STORE] = 2};
    tp_status rc = TP_OK;
    if (n_ops < min_ops[op])
        return fail(a, mn.col, "%s needs %d operands: %s %s", isa_ops[op].mnemonic, min_ops[op],
                    isa_ops[op].mnemonic, isa_ops[op].syntax);
    if ((op == ISA_FENCE || op == ISA_HALT) && n_ops)
        return fail(a, ops[0].col, "%s takes no operands", isa_ops[op].mnemonic);
    const struct isa_region *ub_reg = NULL, *acc_reg = NULL, *bias_reg = NULL;
    tok ub_tok = mn, acc_tok = mn, bias_tok = mn, scale_tok = {NULL, 0, 0};
    uint64_t v;
    int first_opt = min_ops[op];
    switch (op) {
    case ISA_LOAD:
        ub_tok = ops[0];
        if ((rc = parse_addr(a, ops[0], false, "load destination", &in.ub_addr, &ub_reg)) ||
            (rc = parse_block(a, ops[1], &in.blk)))
            return rc;
        break;
    case ISA_LOADW:
        if ((rc = need_u64(a, ops[0], "mxu", 65535, &v)))
            return rc;
        in.mxu = (uint16_t)v;
        if ((rc = parse_block(a, ops[1], &in.blk)))
            return rc;
        break;
    case ISA_MATMUL:
        if ((rc = need_u64(a, ops[0], "mxu", 65535, &v)))
            return rc;
        in.mxu = (uint16_t)v;
        acc_tok = ops[1];
        ub_tok = ops[2];
        if ((rc = parse_addr(a, ops[1], true, "accumulator", &in.acc_row, &acc_reg)) ||
            (rc = parse_addr(a, ops[2], false, "matmul input", &in.ub_addr, &ub_reg)) ||
            (rc = need_u64(a, ops[3], "m", UINT32_MAX, &v)))
            return rc;
        in.m = (uint32_t)v;
        break;
    case ISA_ACTIVATE:
        ub_tok = ops[0];
        acc_tok = ops[1];
        if ((rc = parse_addr(a, ops[0], false, "activate destination", &in.ub_addr, &ub_reg)) ||
            (rc = parse_addr(a, ops[1], true, "accumulator", &in.acc_row, &acc_reg)) ||
            (rc = need_u64(a, ops[2], "rows", UINT32_MAX, &v)))
            return rc;
        in.m = (uint32_t)v;
        if (in.m == 0)
            return fail(a, ops[2].col, "rows: must be at least 1");
        if ((rc = need_u64(a, ops[3], "cols", UINT32_MAX, &v)))
            return rc;
        if (v == 0)
            return fail(a, ops[3].col, "cols: must be at least 1");
        in.n = (uint32_t)v;
        break;
    case ISA_STORE:
        ub_tok = ops[1];
        if ((rc = parse_block(a, ops[0], &in.blk)) ||
            (rc = parse_addr(a, ops[1], false, "store source", &in.ub_addr, &ub_reg)))
            return rc;
        break;
    default:
        break;
    }
    /* options */
    char seen[MAX_OPS][32];   /* options already given: a second one would silently win */
    int n_seen = 0;
    for (int i = first_opt; i < n_ops; i++) {
        tok key, val = kv(ops[i], &key);
        char kb[32];
        tcopy(key, kb, sizeof kb);
        bool has_val = val.n > 0 || (ops[i].n > key.n);
        isa_act act;
        bool is_act = !has_val && op == ISA_ACTIVATE && !isa_act_parse(kb, &act);
        if (!has_val && teq(key, "accumulate") && op == ISA_MATMUL)
            in.accumulate = true;
        else if (!has_val && teq(key, "hold") && op == ISA_MATMUL)
            in.hold = true;
        else if (!has_val && teq(key, "transpose") && (op == ISA_LOAD || op == ISA_LOADW || op == ISA_STORE))
            in.transpose = true;
        else if (is_act)
            in.act = act;
        else if (has_val && teq(key, "stride") && op != ISA_LOADW && op != ISA_FENCE && op != ISA_HALT) {
            if ((rc = need_u64(a, val, "stride", UINT32_MAX, &in.ub_stride)))
                return rc;
            if (in.ub_stride == 0)
                return fail(a, val.col, "stride must be at least 1 byte");
        } else if (has_val && teq(key, "mxus") && op == ISA_LOADW) {
            if ((rc = need_u64(a, val, "mxus", 65535, &v)))
                return rc;
            if (v == 0)
                return fail(a, val.col, "mxus must be at least 1");
            in.mxus = (uint16_t)v;
        } else if (has_val && teq(key, "repeat") && op == ISA_MATMUL) {
            if ((rc = need_u64(a, val, "repeat", 65535, &v)))
                return rc;
            if (v == 0)
                return fail(a, val.col, "repeat must be at least 1");
            in.repeat = (uint32_t)v;
        } else if (has_val && teq(key, "out") && op == ISA_ACTIVATE) {
            npy_dtype dt;
            if (parse_tensor_dtype(val, &dt))
                return fail(a, val.col, "out: unknown dtype '%.*s' (int8, int32, bf16, float32)", (int)val.n, val.s);
            in.out_dtype = dt;
        } else if (has_val && teq(key, "scale") && op == ISA_ACTIVATE) {
            char buf[64], *end;
            tcopy(val, buf, sizeof buf);
            errno = 0;
            double d = strtod(buf, &end);
            if (!val.n || *end || errno || !(d > 0) || d > 1e30)
                return fail(a, val.col, "scale: expected a positive number, got '%s'", buf);
            in.scale = (float)d;
            scale_tok = ops[i];
        } else if (has_val && teq(key, "bias_stride") && op == ISA_ACTIVATE) {
            if ((rc = need_u64(a, val, "bias_stride", UINT32_MAX, &in.bias_stride)))
                return rc;
            if (in.bias_stride == 0)
                return fail(a, val.col, "bias_stride must be at least 1 byte");
        } else if (has_val && teq(key, "bias") && op == ISA_ACTIVATE) {
            bias_tok = val;
            if ((rc = parse_addr(a, val, false, "bias", &in.bias_addr, &bias_reg)))
                return rc;
            in.has_bias = true;
        } else {
            char ob[64];
            tcopy(ops[i], ob, sizeof ob);
            return fail(a, ops[i].col, "%s: unexpected operand '%s' (syntax: %s %s)", isa_ops[op].mnemonic, ob,
                        isa_ops[op].mnemonic, isa_ops[op].syntax);
        }
        const char *slot = is_act ? "activation function" : kb;
        for (int j = 0; j < n_seen; j++)
            if (!strcmp(seen[j], slot))
                return fail(a, ops[i].col, "%s: %s given twice", isa_ops[op].mnemonic, slot);
        snprintf(seen[n_seen++], sizeof seen[0], "%s", slot);
    }
    if (in.bias_stride && !in.has_bias)
        return fail(a, mn.col, "bias_stride: needs bias=UB (the first bias row)");
    /* a scale only requantizes: with any other output it would be silently ignored */
    if (scale_tok.s && in.out_dtype != NPY_INT8)
        return fail(a, scale_tok.col, "scale: applies only with out=int8 (requantization), not out=%s",
                    npy_dtype_name(in.out_dtype));
    /* dtype and region checks that the text alone decides */
    if (op == ISA_LOAD || op == ISA_STORE) {
        const isa_tensor *tt = &a->p->tensors[in.blk.tensor];
        uint64_t eb = npy_dtype_size(tt->dtype);
        uint64_t rows = in.transpose ? in.blk.cols : in.blk.rows, cols = in.transpose ? in.blk.rows : in.blk.cols;
        uint64_t row_bytes = cols * eb, stride = in.ub_stride ? in.ub_stride : row_bytes;
        if (stride < row_bytes)
            return fail(a, ub_tok.col, "stride %llu is smaller than a row of %llu bytes", (unsigned long long)stride,
                        (unsigned long long)row_bytes);
        if ((rc = check_in_region(a, ub_tok, ub_reg, in.ub_addr, (rows - 1) * stride + row_bytes, isa_ops[op].mnemonic)))
            return rc;
    }
    if (op == ISA_LOADW) {
        const isa_tensor *tt = &a->p->tensors[in.blk.tensor];
        if (tt->dtype != npy_dtype_of_input(a->p->dtype))
            return fail(a, ops[1].col, "dtype mismatch: weights %s are %s but the program's dtype is %s", tt->name,
                        npy_dtype_name(tt->dtype), dtype_name(a->p->dtype));
    }
    if (op == ISA_MATMUL && (rc = check_in_region(a, acc_tok, acc_reg, in.acc_row, in.m, "matmul")))
        return rc;
    if (op == ISA_ACTIVATE) {
        uint64_t row_bytes = (uint64_t)in.n * npy_dtype_size(in.out_dtype);
        uint64_t stride = in.ub_stride ? in.ub_stride : row_bytes;
        if (stride < row_bytes)
            return fail(a, ub_tok.col, "stride %llu is smaller than a row of %llu bytes", (unsigned long long)stride,
                        (unsigned long long)row_bytes);
        if ((rc = check_in_region(a, ub_tok, ub_reg, in.ub_addr, (in.m - 1) * stride + row_bytes, "activate")) ||
            (rc = check_in_region(a, acc_tok, acc_reg, in.acc_row, in.m, "activate")) ||
            (rc = check_in_region(a, bias_tok, bias_reg, in.bias_addr,
                                  (in.bias_stride ? (uint64_t)(in.m - 1) * in.bias_stride : 0) + (uint64_t)in.n * 4, "bias")))
            return rc;
    }
    if (a->p->n_ins >= ASM_MAX_INSTRUCTIONS)
        return fail(a, mn.col, "more than %u instructions", ASM_MAX_INSTRUCTIONS);
    if (isa_emit(a->p, &in) < 0)
        return tp_err_set(a->err, TP_ERR_NOMEM, "out of memory assembling %s", a->file);
    a->seen_ins = true;
    return TP_OK;
}

static tp_status add_region(actx *a, tok *w, int nw, bool acc)
{
    if (nw != 4)
        return fail(a, w[0].col, "%s needs NAME %s", acc ? ".acc" : ".ub", acc ? "FIRST_ROW ROWS" : "BASE BYTES");
    char name[48];
    if (w[1].n >= sizeof name || !(isalpha((unsigned char)w[1].s[0]) || w[1].s[0] == '_'))
        return fail(a, w[1].col, "bad region name '%.*s'", (int)w[1].n, w[1].s);
    tcopy(w[1], name, sizeof name);
    for (size_t c = 0; c < w[1].n; c++)   /* an operand could never name it otherwise */
        if (!isalnum((unsigned char)name[c]) && name[c] != '_')
            return fail(a, w[1].col + (int)c, "bad character in region name '%s'", name);
    if (name_find(a, w[1]))
        return fail(a, w[1].col, "'%s' is already declared", name);
    if (a->p->n_regions >= ASM_MAX_NAMES)
        return fail(a, w[0].col, "more than %u regions", ASM_MAX_NAMES);
    uint64_t base, size;
    tp_status rc;
    if ((rc = need_u64(a, w[2], acc ? "first row" : "base", UINT64_MAX >> 2, &base)) ||
        (rc = need_u64(a, w[3], acc ? "rows" : "size", UINT64_MAX >> 2, &size)))
        return rc;
    if (size == 0)
        return fail(a, w[3].col, "region '%s' is empty", name);
    uint64_t cap = acc ? a->t->acc.entries * (uint64_t)a->t->mxus_per_core : a->t->ub.size_bytes;
    if (base + size > cap)
        return fail(a, w[1].col, "region '%s' [%llu, %llu) exceeds the %s (%llu %s)", name,
                    (unsigned long long)base, (unsigned long long)(base + size),
                    acc ? "accumulators" : "unified buffer", (unsigned long long)cap, acc ? "rows" : "bytes");
    isa_program *p = a->p;
    if (p->n_regions == p->cap_regions) {
        uint32_t nc = p->cap_regions ? p->cap_regions * 2 : 8;
        void *q = realloc(p->regions, nc * sizeof *p->regions);
        if (!q)
            return tp_err_set(a->err, TP_ERR_NOMEM, "out of memory");
        p->regions = q;
        p->cap_regions = nc;
    }
    struct isa_region *r = &p->regions[p->n_regions++];
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->acc = acc;
    r->base = base;
    r->size = size;
    if (name_add(a, 1))
        return tp_err_set(a->err, TP_ERR_NOMEM, "out of memory");
    return TP_OK;
}

static tp_status parse_line(actx *a, const char *s, size_t n)
{
    /* words of the head: mnemonic or directive */
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i == n)
        return TP_OK;
    size_t j = i;
    while (j < n && !isspace((unsigned char)s[j]))
        j++;
    tok mn = {s + i, j - i, (int)i + 1};
    if (mn.s[0] == '.' || teq(mn, "core")) {
        tok w[8];
        int nw = 0;
        size_t k = i;
        while (k < n) {
            while (k < n && isspace((unsigned char)s[k]))
                k++;
            if (k == n)
                break;
            size_t e = k;
            while (e < n && !isspace((unsigned char)s[e]))
                e++;
            if (nw == 8)
                return fail(a, (int)k + 1, "too many words");
            w[nw++] = (tok){s + k, e - k, (int)k + 1};
            k = e;
        }
        uint64_t v;
        tp_status rc;
        if (teq(mn, "core")) {
            if (nw != 2)
                return fail(a, mn.col, "core needs one number: core N");
            if ((rc = need_u64(a, w[1], "core", 65535, &v)))
                return rc;
            if (v >= a->t->cores)
                return fail(a, w[1].col, "core %llu does not exist (the machine has %u)", (unsigned long long)v, a->t->cores);
            a->core = (int)v;
            return TP_OK;
        }
        if (teq(mn, ".dtype")) {
            if (nw != 2)
                return fail(a, mn.col, ".dtype needs one of int8, bf16");
            if (a->seen_ins)
                return fail(a, mn.col, ".dtype must come before the first instruction");
            char b[16];
            tcopy(w[1], b, sizeof b);
            tp_dtype dt;
            if (dtype_parse(b, &dt))
                return fail(a, w[1].col, "unknown dtype '%s' (int8, bf16)", b);
            a->p->dtype = dt;
            return TP_OK;
        }
        if (teq(mn, ".tensor")) {
            if (nw != 5)
                return fail(a, mn.col, ".tensor needs NAME DTYPE ROWS COLS");
            char name[48];
            if (w[1].n >= sizeof name || !(isalpha((unsigned char)w[1].s[0]) || w[1].s[0] == '_'))
                return fail(a, w[1].col, "bad tensor name '%.*s'", (int)w[1].n, w[1].s);
            tcopy(w[1], name, sizeof name);
            for (size_t c = 0; c < w[1].n; c++)
                if (!isalnum((unsigned char)name[c]) && name[c] != '_')
                    return fail(a, w[1].col + (int)c, "bad character in tensor name '%s'", name);
            npy_dtype dt;
            if (parse_tensor_dtype(w[2], &dt))
                return fail(a, w[2].col, "unknown dtype '%.*s' (int8, int32, bf16, float32)", (int)w[2].n, w[2].s);
            uint64_t r, c;
            if ((rc = need_u64(a, w[3], "rows", 1u << 24, &r)) || (rc = need_u64(a, w[4], "cols", 1u << 24, &c)))
                return rc;
            if (!r || !c)
                return fail(a, r ? w[4].col : w[3].col, "tensor '%s' has a zero dimension", name);
            if (name_find(a, w[1]))
                return fail(a, w[1].col, "'%s' is already declared", name);
            if (a->p->n_tensors >= ASM_MAX_NAMES)
                return fail(a, mn.col, "more than %u tensors", ASM_MAX_NAMES);
            int idx = isa_add_tensor(a->p, name, dt, (uint32_t)r, (uint32_t)c);
            if (idx < 0 || name_add(a, 0))
                return tp_err_set(a->err, TP_ERR_NOMEM, "out of memory");
            a->p->tensors[idx].line = a->line;
            return TP_OK;
        }
        if (teq(mn, ".ub"))
            return add_region(a, w, nw, false);
        if (teq(mn, ".acc"))
            return add_region(a, w, nw, true);
    }
    for (int op = 0; op < ISA_OP__COUNT; op++)
        if (teq(mn, isa_ops[op].mnemonic)) {
            tok ops[MAX_OPS];
            int n_ops = 0;
            if (split_ops(a, s + j, n - j, (int)j + 1, ops, &n_ops))
                return a->err ? a->err->code : TP_ERR_ASM;
            return parse_instr(a, mn, (isa_opcode)op, ops, n_ops);
        }
    /* unknown: suggest the closest mnemonic or directive */
    char b[64];
    tcopy(mn, b, sizeof b);
    const char *names[ISA_OP__COUNT + sizeof directives / sizeof directives[0]];
    size_t nn = 0;
    for (int op = 0; op < ISA_OP__COUNT; op++)
        names[nn++] = isa_ops[op].mnemonic;
    for (size_t k = 0; k < sizeof directives / sizeof directives[0]; k++)
        names[nn++] = directives[k];
    const char *best = text_closest(b, names, nn, 2, true);
    if (best)
        return fail(a, mn.col, "unknown mnemonic '%s' (did you mean '%s'?)", b, best);
    return fail(a, mn.col, "unknown mnemonic '%s'", b);
}

tp_status asm_parse(const char *name, const char *text, const tp_tpu_cfg *t, isa_program *p, tp_err *err)
{
    isa_init(p, name, TP_INT8);
    actx a = {name, t, p, err, 0, 0, false, NULL, 0};
    tp_status rc = TP_OK;
    const char *s = text;
    while (*s && rc == TP_OK) {
        a.line++;
        const char *e = s;
        while (*e && *e != '\n')
            e++;
        size_t n = (size_t)(e - s);
        for (size_t k = 0; k < n; k++)
            if (s[k] == ';' || s[k] == '#') {
                n = k;
                break;
            }
        if (n && s[n - 1] == '\r')
            n--;
        rc = parse_line(&a, s, n);
        s = *e ? e + 1 : e;
    }
    free(a.names);
    if (rc == TP_OK)
        rc = isa_validate(p, t, err);
    if (rc != TP_OK)
        isa_free(p);
    return rc;
}

tp_status asm_parse_file(const char *path, const tp_tpu_cfg *t, isa_program *p, tp_err *err)
{
    isa_init(p, path, TP_INT8);
    FILE *f = fopen(path, "rb");
    if (!f)
        return tp_err_set(err, TP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    errno = 0;
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (n < cap - 1)
            break;
        if (cap > (1u << 30)) {
            free(buf);
            fclose(f);
            return tp_err_set(err, TP_ERR_NOMEM, "%s: program is larger than 1 GiB", path);
        }
        char *q = realloc(buf, cap * 2);
        if (!q) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = q;
        cap *= 2;
    }
    int ioerr = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (!buf)
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory reading the program", path);
    if (ioerr) {
        free(buf);
        return tp_err_set(err, TP_ERR_IO, "%s: read error: %s", path, strerror(ioerr));
    }
    buf[n] = 0;
    if (memchr(buf, 0, n)) {
        free(buf);
        return tp_err_set(err, TP_ERR_ASM, "%s: not a text file (contains NUL bytes)", path);
    }
    tp_status rc = asm_parse(path, buf, t, p, err);
    free(buf);
    return rc;
}
