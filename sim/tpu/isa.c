/* The ISA: opcode table, program builder, printer and the static validator.
 *
 * Design notes
 *  1. The builder only appends; it never judges. isa_validate is the one place that knows the
 *     rules, so a program built in memory by the tiler and one read from text are checked alike.
 *  2. The weight FIFO is in order, so its contents at every matmul are known statically: the
 *     validator replays loadw pushes and matmul pops per MXU in program order and checks tile
 *     shapes, underflow (a matmul with no tile loaded before it in program order would wait
 *     forever) and overflow (more slots loaded and not yet used than the FIFO holds: the machine
 *     would make that loadw wait for a slot that only a later matmul frees). A program that
 *     passes therefore cannot deadlock on the FIFO.
 *  3. Addresses: UB bytes [0, ub.size_bytes); accumulator rows [0, mxus * acc.entries), MXU u
 *     writing only its own rows; an accumulator row holds array.cols values.
 *  4. A core's instructions after its halt would never run: refused.
 */
#include "tpu/isa.h"
#include "base/text.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const isa_opinfo isa_ops[ISA_OP__COUNT] = {
    [ISA_LOAD] = {"load", ISA_Q_LOAD, "UB, T[r0:r1, c0:c1] [, stride=B] [, transpose]"},
    [ISA_LOADW] = {"loadw", ISA_Q_WEIGHT, "MXU, T[r0:r1, c0:c1] [, transpose] [, mxus=N]"},
    [ISA_MATMUL] = {"matmul", ISA_Q_MATRIX, "MXU, ACC, UB, M [, stride=B] [, accumulate] [, repeat=R] [, hold]"},
    [ISA_ACTIVATE] = {"activate", ISA_Q_VECTOR,
                      "UB, ACC, ROWS, COLS [, none|relu|relu6] [, out=DT] [, scale=F] [, bias=UB [, bias_stride=B]] [, stride=B]"},
    [ISA_STORE] = {"store", ISA_Q_STORE, "T[r0:r1, c0:c1], UB [, stride=B] [, transpose]"},
    [ISA_FENCE] = {"fence", ISA_Q_NONE, ""},
    [ISA_HALT] = {"halt", ISA_Q_NONE, ""},
};

static const char *const act_names[ISA_ACT__COUNT] = {"none", "relu", "relu6"};

const char *isa_act_name(isa_act a)
{
    return (unsigned)a < ISA_ACT__COUNT ? act_names[a] : "?";
}

int isa_act_parse(const char *s, isa_act *out)
{
    int i = text_lookup(s, act_names, ISA_ACT__COUNT);
    if (i < 0)
        return -1;
    *out = (isa_act)i;
    return 0;
}

void isa_init(isa_program *p, const char *name, tp_dtype dt)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name ? name : "<program>");
    p->dtype = dt;
}

void isa_free(isa_program *p)
{
    free(p->tensors);
    free(p->ins);
    free(p->regions);
    memset(p, 0, sizeof *p);
}

static int grow(void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    uint32_t nc = *cap ? *cap * 2 : 16;
    void *q = realloc(*arr, (size_t)nc * elem);
    if (!q)
        return -1;
    *arr = q;
    *cap = nc;
    return 0;
}

int isa_find_tensor(const isa_program *p, const char *name)
{
    for (uint32_t i = 0; i < p->n_tensors; i++)
        if (!strcmp(p->tensors[i].name, name))
            return (int)i;
    return -1;
}

int isa_add_tensor(isa_program *p, const char *name, npy_dtype dt, uint32_t rows, uint32_t cols)
{
    if (p->oom || isa_find_tensor(p, name) >= 0 || strlen(name) >= sizeof p->tensors[0].name)
        return -1;
    if (grow((void **)&p->tensors, &p->cap_tensors, p->n_tensors, sizeof *p->tensors)) {
        p->oom = true;
        return -1;
    }
    isa_tensor *t = &p->tensors[p->n_tensors];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->dtype = dt;
    t->rows = rows;
    t->cols = cols;
    return (int)p->n_tensors++;
}

int isa_emit(isa_program *p, const isa_instr *in)
{
    if (p->oom)
        return -1;
    if (grow((void **)&p->ins, &p->cap_ins, p->n_ins, sizeof *p->ins)) {
        p->oom = true;
        return -1;
    }
    p->ins[p->n_ins] = *in;
    return (int)p->n_ins++;
}

static isa_instr blank(isa_opcode op, unsigned core)
{
    isa_instr in;
    memset(&in, 0, sizeof in);
    in.op = op;
    in.core = (uint16_t)core;
    in.repeat = 1;
    in.scale = 1.0f;
    in.blk.tensor = -1;
    in.out_dtype = NPY_INT32;
    return in;
}

int isa_load(isa_program *p, unsigned core, uint64_t ub_addr, uint64_t ub_stride, int tensor,
             uint32_t r0, uint32_t c0, uint32_t rows, uint32_t cols, bool transpose)
{
    isa_instr in = blank(ISA_LOAD, core);
    in.ub_addr = ub_addr;
    in.ub_stride = ub_stride;
    in.blk = (isa_block){tensor, r0, c0, rows, cols};
    in.transpose = transpose;
    return isa_emit(p, &in);
}

int isa_loadw(isa_program *p, unsigned core, unsigned mxu, int tensor, uint32_t r0, uint32_t c0,
              uint32_t rows, uint32_t cols, bool transpose)
{
    return isa_loadw_n(p, core, mxu, 1, tensor, r0, c0, rows, cols, transpose);
}

int isa_loadw_n(isa_program *p, unsigned core, unsigned mxu, unsigned count, int tensor, uint32_t r0,
                uint32_t c0, uint32_t rows, uint32_t cols, bool transpose)
{
    isa_instr in = blank(ISA_LOADW, core);
    in.mxu = (uint16_t)mxu;
    in.mxus = (uint16_t)count;
    in.blk = (isa_block){tensor, r0, c0, rows, cols};
    in.transpose = transpose;
    return isa_emit(p, &in);
}

int isa_matmul(isa_program *p, unsigned core, unsigned mxu, uint64_t acc_row, uint64_t ub_addr,
               uint64_t ub_stride, uint32_t m, bool accumulate, uint32_t repeat)
{
    return isa_matmul_h(p, core, mxu, acc_row, ub_addr, ub_stride, m, accumulate, repeat, false);
}

int isa_matmul_h(isa_program *p, unsigned core, unsigned mxu, uint64_t acc_row, uint64_t ub_addr,
                 uint64_t ub_stride, uint32_t m, bool accumulate, uint32_t repeat, bool hold)
{
    isa_instr in = blank(ISA_MATMUL, core);
    in.mxu = (uint16_t)mxu;
    in.acc_row = acc_row;
    in.ub_addr = ub_addr;
    in.ub_stride = ub_stride;
    in.m = m;
    in.accumulate = accumulate;
    in.repeat = repeat;
    in.hold = hold;
    return isa_emit(p, &in);
}

int isa_activate(isa_program *p, unsigned core, uint64_t ub_addr, uint64_t ub_stride,
                 uint64_t acc_row, uint32_t rows, uint32_t cols, isa_act act, npy_dtype out,
                 float scale, bool has_bias, uint64_t bias_addr)
{
    isa_instr in = blank(ISA_ACTIVATE, core);
    in.ub_addr = ub_addr;
    in.ub_stride = ub_stride;
    in.acc_row = acc_row;
    in.m = rows;
    in.n = cols;
    in.act = act;
    in.out_dtype = out;
    in.scale = scale;
    in.has_bias = has_bias;
    in.bias_addr = bias_addr;
    return isa_emit(p, &in);
}

int isa_store(isa_program *p, unsigned core, int tensor, uint32_t r0, uint32_t c0, uint32_t rows,
              uint32_t cols, uint64_t ub_addr, uint64_t ub_stride)
{
    return isa_store_t(p, core, tensor, r0, c0, rows, cols, ub_addr, ub_stride, false);
}

int isa_store_t(isa_program *p, unsigned core, int tensor, uint32_t r0, uint32_t c0, uint32_t rows,
                uint32_t cols, uint64_t ub_addr, uint64_t ub_stride, bool transpose)
{
    isa_instr in = blank(ISA_STORE, core);
    in.blk = (isa_block){tensor, r0, c0, rows, cols};
    in.ub_addr = ub_addr;
    in.ub_stride = ub_stride;
    in.transpose = transpose;
    return isa_emit(p, &in);
}

int isa_fence(isa_program *p, unsigned core)
{
    isa_instr in = blank(ISA_FENCE, core);
    return isa_emit(p, &in);
}

int isa_halt(isa_program *p, unsigned core)
{
    isa_instr in = blank(ISA_HALT, core);
    return isa_emit(p, &in);
}

/* --- printer ---------------------------------------------------------------------------- */

static void fmt_block(const isa_program *p, const isa_block *b, char *buf, size_t cap)
{
    const char *name = (b->tensor >= 0 && (uint32_t)b->tensor < p->n_tensors)
                           ? p->tensors[b->tensor].name : "?";
    snprintf(buf, cap, "%s[%u:%u, %u:%u]", name, b->r0, b->r0 + b->rows, b->c0, b->c0 + b->cols);
}

void isa_format(const isa_program *p, const isa_instr *in, char *buf, size_t cap)
{
    char blk[128], extra[160] = "";
    size_t n = 0;
    switch (in->op) {
    case ISA_LOAD:
        fmt_block(p, &in->blk, blk, sizeof blk);
        if (in->ub_stride)
            n += (size_t)snprintf(extra + n, sizeof extra - n, ", stride=%llu", (unsigned long long)in->ub_stride);
        if (in->transpose)
            snprintf(extra + n, sizeof extra - n, ", transpose");
        snprintf(buf, cap, "load 0x%llx, %s%s", (unsigned long long)in->ub_addr, blk, extra);
        break;
    case ISA_LOADW:
        fmt_block(p, &in->blk, blk, sizeof blk);
        if (isa_loadw_count(in) > 1)
            snprintf(extra, sizeof extra, ", mxus=%u", isa_loadw_count(in));
        snprintf(buf, cap, "loadw %u, %s%s%s", in->mxu, blk, in->transpose ? ", transpose" : "", extra);
        break;
    case ISA_MATMUL:
        if (in->ub_stride)
            n += (size_t)snprintf(extra + n, sizeof extra - n, ", stride=%llu", (unsigned long long)in->ub_stride);
        if (in->accumulate)
            n += (size_t)snprintf(extra + n, sizeof extra - n, ", accumulate");
        if (in->hold)
            n += (size_t)snprintf(extra + n, sizeof extra - n, ", hold");
        if (in->repeat != 1)
            snprintf(extra + n, sizeof extra - n, ", repeat=%u", in->repeat);
        snprintf(buf, cap, "matmul %u, %llu, 0x%llx, %u%s", in->mxu, (unsigned long long)in->acc_row,
                 (unsigned long long)in->ub_addr, in->m, extra);
        break;
    case ISA_ACTIVATE:
        n += (size_t)snprintf(extra + n, sizeof extra - n, ", %s, out=%s", isa_act_name(in->act),
                              npy_dtype_name(in->out_dtype));
        if (in->out_dtype == NPY_INT8)
            n += (size_t)snprintf(extra + n, sizeof extra - n, ", scale=%.9g", (double)in->scale);
        if (in->has_bias)
            n += (size_t)snprintf(extra + n, sizeof extra - n, ", bias=0x%llx", (unsigned long long)in->bias_addr);
        if (in->has_bias && in->bias_stride)
            n += (size_t)snprintf(extra + n, sizeof extra - n, ", bias_stride=%llu", (unsigned long long)in->bias_stride);
        if (in->ub_stride)
            snprintf(extra + n, sizeof extra - n, ", stride=%llu", (unsigned long long)in->ub_stride);
        snprintf(buf, cap, "activate 0x%llx, %llu, %u, %u%s", (unsigned long long)in->ub_addr,
                 (unsigned long long)in->acc_row, in->m, in->n, extra);
        break;
    case ISA_STORE:
        fmt_block(p, &in->blk, blk, sizeof blk);
        if (in->ub_stride)
            n += (size_t)snprintf(extra + n, sizeof extra - n, ", stride=%llu", (unsigned long long)in->ub_stride);
        if (in->transpose)
            snprintf(extra + n, sizeof extra - n, ", transpose");
        snprintf(buf, cap, "store %s, 0x%llx%s", blk, (unsigned long long)in->ub_addr, extra);
        break;
    default:
        snprintf(buf, cap, "%s", (unsigned)in->op < ISA_OP__COUNT ? isa_ops[in->op].mnemonic : "?");
        break;
    }
}

void isa_print(const isa_program *p, FILE *f)
{
    char buf[512];
    fprintf(f, "; %s: %u instructions\n", p->name, p->n_ins);
    fprintf(f, ".dtype %s\n", dtype_name(p->dtype));
    for (uint32_t i = 0; i < p->n_tensors; i++)
        fprintf(f, ".tensor %s %s %u %u\n", p->tensors[i].name, npy_dtype_name(p->tensors[i].dtype),
                p->tensors[i].rows, p->tensors[i].cols);
    for (uint32_t i = 0; i < p->n_regions; i++)
        fprintf(f, ".%s %s %llu %llu\n", p->regions[i].acc ? "acc" : "ub", p->regions[i].name,
                (unsigned long long)p->regions[i].base, (unsigned long long)p->regions[i].size);
    int core = -1;
    for (uint32_t i = 0; i < p->n_ins; i++) {
        const isa_instr *in = &p->ins[i];
        if (in->core != core) {
            core = in->core;
            fprintf(f, "core %d\n", core);
        }
        isa_format(p, in, buf, sizeof buf);
        fprintf(f, "%s\n", buf);
    }
}

/* --- validator -------------------------------------------------------------------------- */

typedef struct {
    const isa_program *p;
    tp_status code;
    tp_err *err;
} vctx;

static tp_status bad(vctx *v, uint32_t i, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static tp_status bad(vctx *v, uint32_t i, int col, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const isa_instr *in = &v->p->ins[i];
    if (in->line > 0)
        return tp_err_at(v->err, v->code, v->p->name, in->line, col ? col : in->col, "%s", msg);
    return tp_err_at(v->err, v->code, v->p->name, (int)i + 1, 0, "%s", msg);
}

/* Bytes spanned by `rows` rows of `row_bytes` at `stride` (0 = packed). */
static uint64_t span_bytes(uint64_t rows, uint64_t row_bytes, uint64_t stride)
{
    if (rows == 0 || row_bytes == 0)
        return 0;
    uint64_t s = stride ? stride : row_bytes;
    return (rows - 1) * s + row_bytes;
}

static tp_status check_ub(vctx *v, uint32_t i, const tp_tpu_cfg *t, const char *what, uint64_t addr,
                          uint64_t rows, uint64_t row_bytes, uint64_t stride)
{
    if (stride && stride < row_bytes)
        return bad(v, i, 0, "%s: stride %llu is smaller than the row (%llu bytes)", what,
                   (unsigned long long)stride, (unsigned long long)row_bytes);
    uint64_t span = span_bytes(rows, row_bytes, stride);
    if (addr > t->ub.size_bytes || span > t->ub.size_bytes - addr)
        return bad(v, i, 0, "%s: unified buffer bytes [0x%llx, 0x%llx) exceed its %llu bytes", what,
                   (unsigned long long)addr, (unsigned long long)(addr + span),
                   (unsigned long long)t->ub.size_bytes);
    return TP_OK;
}

static tp_status check_block(vctx *v, uint32_t i, const isa_block *b)
{
    if (b->tensor < 0 || (uint32_t)b->tensor >= v->p->n_tensors)
        return bad(v, i, 0, "no such tensor (index %d)", b->tensor);
    const isa_tensor *t = &v->p->tensors[b->tensor];
    if (b->rows == 0 || b->cols == 0)
        return bad(v, i, 0, "empty block of %s", t->name);
    if ((uint64_t)b->r0 + b->rows > t->rows || (uint64_t)b->c0 + b->cols > t->cols)
        return bad(v, i, 0, "block %s[%u:%llu, %u:%llu] is outside the tensor's %u x %u", t->name,
                   b->r0, (unsigned long long)b->r0 + b->rows, b->c0,
                   (unsigned long long)b->c0 + b->cols, t->rows, t->cols);
    return TP_OK;
}

/* FIFO slots one k-row weight tile occupies: 1 for ws/is (k <= rows); os streams B, so a tile of
 * k rows takes ceil(k / rows) slots. */
uint32_t isa_tile_slots(const tp_tpu_cfg *t, uint32_t k)
{
    if (t->array.dataflow != TP_DF_OS || k <= t->array.rows)
        return 1;
    return (uint32_t)(((uint64_t)k + t->array.rows - 1) / t->array.rows);
}

tp_status isa_fifos_init(isa_fifos *f, const tp_tpu_cfg *t)
{
    f->depth = t->wbuf.depth_tiles ? t->wbuf.depth_tiles : 1;
    f->n_fifos = t->cores * t->mxus_per_core;
    f->ring = calloc((size_t)f->n_fifos * f->depth, sizeof *f->ring);
    f->head = calloc(f->n_fifos ? f->n_fifos : 1, sizeof *f->head);
    f->cnt = calloc(f->n_fifos ? f->n_fifos : 1, sizeof *f->cnt);
    f->used = calloc(f->n_fifos ? f->n_fifos : 1, sizeof *f->used);
    return f->ring && f->head && f->cnt && f->used ? TP_OK : TP_ERR_NOMEM;
}

void isa_fifos_free(isa_fifos *f)
{
    free(f->ring);
    free(f->head);
    free(f->cnt);
    free(f->used);
    memset(f, 0, sizeof *f);
}

uint32_t isa_fifo_of(const tp_tpu_cfg *t, const isa_instr *in)
{
    return in->core * t->mxus_per_core + in->mxu;
}

isa_tile isa_loadw_tile(const tp_tpu_cfg *t, const isa_instr *in)
{
    uint32_t k = in->transpose ? in->blk.cols : in->blk.rows;
    return (isa_tile){k, in->transpose ? in->blk.rows : in->blk.cols, isa_tile_slots(t, k)};
}

void isa_fifos_push(isa_fifos *f, uint32_t g, isa_tile tile)
{
    f->ring[(size_t)g * f->depth + (f->head[g] + f->cnt[g]++) % f->depth] = tile;
    f->used[g] += tile.slots;
}

isa_tile isa_fifos_peek(const isa_fifos *f, uint32_t g, uint32_t j)
{
    return f->ring[(size_t)g * f->depth + (f->head[g] + j) % f->depth];
}

void isa_fifos_pop(isa_fifos *f, uint32_t g, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        f->used[g] -= isa_fifos_peek(f, g, j).slots;
    f->head[g] = (f->head[g] + n) % f->depth;
    f->cnt[g] -= n;
}

tp_status isa_validate(const isa_program *p, const tp_tpu_cfg *t, tp_err *err)
{
    vctx v = {p, p->ins && p->n_ins && p->ins[0].line > 0 ? TP_ERR_ASM : TP_ERR_PROGRAM, err};
    if (p->oom)
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory while building the program", p->name);
    if (!t->array.dtypes[p->dtype])
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "%s: machine '%s' does not support dtype %s",
                          p->name, t->name, dtype_name(p->dtype));
    /* FIFO replay: per MXU a ring of tile shapes (only counts and shapes matter). */
    isa_fifos ff;
    tp_status rc = isa_fifos_init(&ff, t);
    uint32_t depth = ff.depth;
    bool *halted = calloc(t->cores, sizeof *halted);
    /* per MXU: the matmul whose partial sums the array holds (hold), or -1 */
    int64_t *held = malloc((ff.n_fifos ? ff.n_fifos : 1) * sizeof *held);
    isa_tile *held_tile = malloc((ff.n_fifos ? ff.n_fifos : 1) * sizeof *held_tile);
    for (uint32_t g = 0; held && g < ff.n_fifos; g++)
        held[g] = -1;
    if (rc || !halted || !held || !held_tile) {
        rc = tp_err_set(err, TP_ERR_NOMEM, "out of memory validating %s", p->name);
        goto end;
    }
    npy_dtype in_dt = npy_dtype_of_input(p->dtype);
    unsigned elem = dtype_in_bytes(p->dtype);
    uint64_t acc_rows_core = (uint64_t)t->acc.entries * t->mxus_per_core;
    for (uint32_t i = 0; i < p->n_ins && rc == TP_OK; i++) {
        const isa_instr *in = &p->ins[i];
        if ((unsigned)in->op >= ISA_OP__COUNT) {
            rc = bad(&v, i, 0, "bad opcode %d", (int)in->op);
            break;
        }
        if (in->core >= t->cores) {
            rc = bad(&v, i, 0, "core %u does not exist (the machine has %u)", in->core, t->cores);
            break;
        }
        if (halted[in->core]) {
            rc = bad(&v, i, 0, "core %u has already halted: this instruction would never run", in->core);
            break;
        }
        if (in->op == ISA_HALT) {
            halted[in->core] = true;
            for (uint32_t u = 0; u < t->mxus_per_core && rc == TP_OK; u++)
                if (held[in->core * t->mxus_per_core + u] >= 0)
                    rc = bad(&v, (uint32_t)held[in->core * t->mxus_per_core + u], 0,
                             "matmul holds its partial sums but core %u halts before a matmul continues them", in->core);
            if (rc)
                break;
        }
        if ((in->op == ISA_LOADW || in->op == ISA_MATMUL) && in->mxu >= t->mxus_per_core) {
            rc = bad(&v, i, 0, "mxu %u does not exist (each core has %u)", in->mxu, t->mxus_per_core);
            break;
        }
        if (in->op == ISA_LOADW && in->mxu + isa_loadw_count(in) > t->mxus_per_core) {
            rc = bad(&v, i, 0, "mxus=%u from mxu %u: MXUs %u .. %u, but each core has %u", isa_loadw_count(in),
                     in->mxu, in->mxu, in->mxu + isa_loadw_count(in) - 1, t->mxus_per_core);
            break;
        }
        uint32_t gm = isa_fifo_of(t, in);
        switch (in->op) {
        case ISA_LOAD: {
            if ((rc = check_block(&v, i, &in->blk)))
                break;
            const isa_tensor *tt = &p->tensors[in->blk.tensor];
            uint64_t eb = npy_dtype_size(tt->dtype);
            uint64_t rows = in->transpose ? in->blk.cols : in->blk.rows;
            uint64_t cols = in->transpose ? in->blk.rows : in->blk.cols;
            rc = check_ub(&v, i, t, "load", in->ub_addr, rows, cols * eb, in->ub_stride);
            break;
        }
        case ISA_LOADW: {
            if ((rc = check_block(&v, i, &in->blk)))
                break;
            const isa_tensor *tt = &p->tensors[in->blk.tensor];
            if (tt->dtype != in_dt) {
                rc = bad(&v, i, 0, "dtype mismatch: weights %s are %s but the program's dtype is %s",
                         tt->name, npy_dtype_name(tt->dtype), dtype_name(p->dtype));
                break;
            }
            isa_tile tile = isa_loadw_tile(t, in);
            uint32_t k = tile.k, n = tile.n, slots = tile.slots;
            if (t->array.dataflow != TP_DF_OS && k > t->array.rows) {
                rc = bad(&v, i, 0, "weight tile has k = %u rows but the array has %u rows", k, t->array.rows);
                break;
            }
            if (n > t->array.cols) {
                rc = bad(&v, i, 0, "weight tile has n = %u columns but the array has %u columns", n,
                         t->array.cols);
                break;
            }
            if (slots > depth) {
                rc = bad(&v, i, 0, "weight tile of %u x %u needs %u FIFO slots but the FIFO holds %u",
                         k, n, slots, depth);
                break;
            }
            for (unsigned u = 0; u < isa_loadw_count(in) && rc == TP_OK; u++)
                if (ff.used[gm + u] + slots > depth)
                    /* The machine would stall for a free slot; the oldest tile leaves when its
                     * matmul starts, which comes later in program order only if the program is wrong. */
                    rc = bad(&v, i, 0, "weight FIFO of core %u mxu %u overflows: %u of %u slots hold tiles not yet used",
                             in->core, in->mxu + u, ff.used[gm + u], depth);
            if (rc)
                break;
            for (unsigned u = 0; u < isa_loadw_count(in); u++)
                isa_fifos_push(&ff, gm + u, tile);
            break;
        }
        case ISA_MATMUL: {
            if (in->repeat == 0 || in->m == 0) {
                rc = bad(&v, i, 0, "matmul needs m >= 1 and repeat >= 1");
                break;
            }
            if (ff.cnt[gm] < in->repeat) {
                rc = bad(&v, i, 0, "weight FIFO of core %u mxu %u has %u tile(s) loaded but matmul uses %u",
                         in->core, in->mxu, ff.cnt[gm], in->repeat);
                break;
            }
            isa_tile s0 = isa_fifos_peek(&ff, gm, 0);
            for (uint32_t j = 0; j < in->repeat; j++) {
                isa_tile s = isa_fifos_peek(&ff, gm, j);
                if (s.k != s0.k || s.n != s0.n) {
                    rc = bad(&v, i, 0, "repeat=%u uses weight tiles of different shapes (%ux%u, then %ux%u)",
                             in->repeat, s0.k, s0.n, s.k, s.n);
                    break;
                }
            }
            if (rc)
                break;
            isa_fifos_pop(&ff, gm, in->repeat);
            if (in->hold && t->array.dataflow != TP_DF_OS) {
                rc = bad(&v, i, 0, "hold: only the os dataflow keeps partial sums in the array (this machine is %s)",
                         cfg_dataflow_name(t->array.dataflow));
                break;
            }
            if (held[gm] >= 0) {
                const isa_instr *h = &p->ins[held[gm]];
                if (h->acc_row != in->acc_row || h->m != in->m || held_tile[gm].n != s0.n) {
                    rc = bad(&v, i, 0, "matmul must continue the partial sums held by instruction %u (accumulator "
                             "row %llu, m = %u, n = %u) but has row %llu, m = %u, n = %u", (unsigned)held[gm] + 1,
                             (unsigned long long)h->acc_row, h->m, held_tile[gm].n,
                             (unsigned long long)in->acc_row, in->m, s0.n);
                    break;
                }
            }
            held[gm] = in->hold ? (int64_t)i : -1;
            held_tile[gm] = s0;
            if (t->array.dataflow == TP_DF_OS && in->m > t->array.rows) {
                rc = bad(&v, i, 0, "os dataflow: m = %u exceeds the array's %u rows", in->m, t->array.rows);
                break;
            }
            uint64_t lo = (uint64_t)in->mxu * t->acc.entries;
            if (in->acc_row < lo || in->acc_row + in->m > lo + t->acc.entries) {
                rc = bad(&v, i, 0, "accumulator rows [%llu, %llu) are outside mxu %u's rows [%llu, %llu)",
                         (unsigned long long)in->acc_row, (unsigned long long)(in->acc_row + in->m), in->mxu,
                         (unsigned long long)lo, (unsigned long long)(lo + t->acc.entries));
                break;
            }
            if (in->ub_addr % elem || in->ub_stride % elem) {
                rc = bad(&v, i, 0, "matmul: UB address and stride must be multiples of the %u-byte element", elem);
                break;
            }
            rc = check_ub(&v, i, t, "matmul", in->ub_addr, in->m, (uint64_t)s0.k * in->repeat * elem,
                          in->ub_stride);
            break;
        }
        case ISA_ACTIVATE: {
            if (in->m == 0 || in->n == 0) {
                rc = bad(&v, i, 0, "activate needs rows >= 1 and cols >= 1");
                break;
            }
            if (in->n > t->array.cols) {
                rc = bad(&v, i, 0, "activate: %u columns exceed an accumulator row (%u values)", in->n,
                         t->array.cols);
                break;
            }
            if (in->acc_row + in->m > acc_rows_core) {
                rc = bad(&v, i, 0, "accumulator rows [%llu, %llu) exceed the core's %llu rows",
                         (unsigned long long)in->acc_row, (unsigned long long)(in->acc_row + in->m),
                         (unsigned long long)acc_rows_core);
                break;
            }
            bool ok = p->dtype == TP_INT8 ? (in->out_dtype == NPY_INT8 || in->out_dtype == NPY_INT32)
                                          : (in->out_dtype == NPY_BF16 || in->out_dtype == NPY_F32);
            if (!ok) {
                rc = bad(&v, i, 0, "dtype mismatch: activate out=%s with %s accumulators (use %s)",
                         npy_dtype_name(in->out_dtype), p->dtype == TP_INT8 ? "int32" : "float32",
                         p->dtype == TP_INT8 ? "int8 or int32" : "bf16 or float32");
                break;
            }
            if (in->out_dtype == NPY_INT8 && !(in->scale > 0.0f && isfinite(in->scale))) {
                rc = bad(&v, i, 0, "activate: requantization scale must be positive and finite");
                break;
            }
            if (in->has_bias && in->bias_stride && in->bias_stride < (uint64_t)in->n * 4) {
                rc = bad(&v, i, 0, "bias_stride %llu is smaller than a bias row of %llu bytes",
                         (unsigned long long)in->bias_stride, (unsigned long long)in->n * 4);
                break;
            }
            if (in->has_bias && (rc = check_ub(&v, i, t, "activate bias", in->bias_addr, in->bias_stride ? in->m : 1,
                                               (uint64_t)in->n * 4, in->bias_stride)))
                break;
            rc = check_ub(&v, i, t, "activate", in->ub_addr, in->m,
                          (uint64_t)in->n * npy_dtype_size(in->out_dtype), in->ub_stride);
            break;
        }
        case ISA_STORE: {
            if ((rc = check_block(&v, i, &in->blk)))
                break;
            const isa_tensor *tt = &p->tensors[in->blk.tensor];
            uint64_t rows = in->transpose ? in->blk.cols : in->blk.rows;
            uint64_t cols = in->transpose ? in->blk.rows : in->blk.cols;
            rc = check_ub(&v, i, t, "store", in->ub_addr, rows, cols * npy_dtype_size(tt->dtype), in->ub_stride);
            break;
        }
        default:
            break;
        }
    }
    for (uint32_t g = 0; rc == TP_OK && g < ff.n_fifos; g++)
        if (held[g] >= 0)
            rc = bad(&v, (uint32_t)held[g], 0, "matmul holds its partial sums but no later matmul of core %u mxu %u "
                     "continues them", g / t->mxus_per_core, g % t->mxus_per_core);
end:
    isa_fifos_free(&ff);
    free(halted);
    free(held);
    free(held_tile);
    return rc;
}
