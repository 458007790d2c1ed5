/* MXU per-PE engine: every register of every PE moves every cycle.
 *
 * NOTES ON THE DESIGN OF THE PER-PE ENGINE
 *  Registers (arrays of R*C, element (r,c) at r*C + c; a "struct of arrays"):
 *    a, actl      activation and its control bits (VALID, FIRST, LAST), move right one PE per cycle
 *    w            active weight (ws/is) / B operand moving down (os, with bvalid)
 *    wsh          shadow weight (ws/is with double buffering), filled by the weight shift chain
 *    ps, pv       ws/is: partial sum and valid, move down one PE per cycle;
 *                 os: the PE's accumulator and "holds a value" bit; shift down when draining
 *  Registers that move are double-buffered (old -> new, then the buffers swap), so every PE reads
 *  its neighbours' values from the previous cycle, as clocked hardware does. A register that is
 *  read and written in the same cycle gives the reader the old value.
 *
 *  Sequencer (the control that real hardware has around the array):
 *    - The input skew is a delay line of control tokens: the token injected into array row 0 at
 *      cycle x (op, streamed index) reaches array row r at x + r, which then reads its element
 *      of that row from the operand in memory. FIRST and LAST flags travel on every row, VALID
 *      only on rows that hold data (r < k for ws/is, r < m for os).
 *    - ws/is weight shift: weight_rows_per_cycle rows move down per cycle into the shadow (double
 *      buffer) or active (no double buffer) registers, tile row q landing in array row q after
 *      L = ceil(k/rpc) cycles; column c's chain runs c cycles behind column 0's (skewed like the
 *      data). A shift may start when the register column 0's chain writes is free: the shadow
 *      is free once the swap wave (FIRST flag) of the op that took it reaches PE(R-1,0); the
 *      active weights are free once the LAST flag reaches PE(R-1,0). Both are observed on the
 *      flag entering that PE this cycle, so a shift may start in that very cycle; column c's
 *      register frees c cycles later, exactly when its chain starts.
 *    - Each PE copies shadow -> active when a FIRST flag enters it (ws/is, double buffer).
 *    - An op streams when its tile is complete (ws/is) or column 0's drain of the previous op has
 *      begun in an earlier cycle (os), and its ready cycles have come.
 *    - os chains (mxu.h): a held op sends no LAST flag (nothing drains) and its continuation no
 *      FIRST flag (the PEs keep accumulating); the continuation enters right after the held op's
 *      last K step, and the held op ends when that step leaves PE(R-1,C-1).
 *    - os drain: the cycle after a LAST flag enters PE(R-1,c), column c drains: in drain step s
 *      (s = 0..R-1) rows r >= s shift their accumulator down (row s receives nothing) and the
 *      bottom value leaves the array.
 *    - De-skew: a value leaving column c's bottom at cycle y is written to the accumulators at
 *      y + C - 1 - c (a ring of C slots x C columns). The writer learns which op and row a slot
 *      holds from the control path (token delay R + C - 1 for ws/is, the drain record for os)
 *      and cross-checks the data path's valid bits: any disagreement is a fault (mxu_pe_fault).
 *  Cycle causes are classified per simulated cycle, as mxu.h defines them.
 *  The engine never reads the closed-form timing; tests compare the two.
 */
#include "tpu/mxu.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CTL_VALID = 1, CTL_FIRST = 2, CTL_LAST = 4 };
/* every register array holds 4-byte elements: int32_t, uint32_t or float */
_Static_assert(sizeof(float) == 4 && sizeof(int32_t) == 4 && sizeof(uint32_t) == 4,
               "per-PE registers assume 4-byte float and int32");
#define NO_CYCLE UINT64_MAX

typedef struct {
    mxu_issue is;
    uint64_t T;          /* stream length */
    uint64_t L;          /* weight shift cycles (ws/is) */
    mxu_timing tm;
    bool ended;
    bool cont;           /* os: continues the partial sums the previous (held) op left */
} pe_op;

typedef struct {
    uint64_t cycle;      /* injection cycle, NO_CYCLE if empty */
    uint32_t op;
    uint32_t idx;        /* streamed row (ws), column (is) or k step (os) */
} token;

typedef struct {
    uint32_t op;
    uint64_t write_start;   /* os: cycle the first drained row reaches the accumulators */
} drain_rec;

struct mxu_pe {
    mxu_params p;
    uint32_t R, C, RING;
    size_t n;               /* R * C */
    bool fp;                /* bf16 (float registers) vs int8 (int32 registers, uint32 sums) */
    bool os;
    int cur;                /* index of the "old" buffer */
    /* registers; 4-byte elements (int32_t/uint32_t or float) */
    void *a[2];
    uint8_t *actl[2];
    void *w[2];             /* ws/is: only w[0] (active); os: B operand, double-buffered */
    uint8_t *bv[2];         /* os: B valid */
    void *wsh;              /* ws/is double buffer */
    void *ps[2];
    uint8_t *pv[2];
    /* per-cycle inputs */
    void *in_a;             /* R */
    uint8_t *in_ctl;        /* R */
    void *in_b;             /* C (os) */
    uint8_t *in_bv;         /* C (os) */
    /* de-skew ring: slot s, column c at s*C + c */
    void *dsk;
    uint8_t *dsk_v;
    token *ring;
    /* os drain */
    int32_t *drain_s;       /* C: this cycle's drain step or -1 */
    drain_rec *drains;      /* FIFO of drains not yet written, oldest first; cap_drains = C + 1 */
    uint32_t n_drains, cap_drains;
    bool drain0_begun;
    bool chain_open;        /* os: a held op's stream has ended; its continuation may enter */
    /* ops */
    pe_op *ops;
    uint32_t n_ops, cap_ops;
    uint32_t next_stream, next_load, n_ended;
    /* sequencer */
    bool streaming;
    uint32_t s_op;
    uint64_t s_idx;
    bool shifting;          /* column 0's chain is moving (the newest shift, sh_op from sh_start) */
    uint32_t sh_op;
    uint64_t sh_step;
    /* shifts whose later columns still move (column c runs c cycles behind column 0), oldest
     * first: at most C + 1 at once, as shifts start at least one cycle apart */
    struct pe_shift { uint32_t op; uint64_t start; } *shifts;
    uint32_t n_shifts, cap_shifts;
    bool reg_full;          /* the register the shift writes holds a tile not yet released */
    uint32_t reg_tile;
    uint64_t in_flight;     /* ws/is: rows injected, not yet written; os: ops started, not ended */
    uint64_t last_busy_until;
    /* time and accounting */
    uint64_t now;
    uint64_t pe_cycles;
    uint64_t causes[MXU_CAUSE__COUNT];
    uint64_t snap[MXU_CAUSE__COUNT];
    mxu_pe_observer obs;
    void *obs_ctx;
    mxu_cause last_cause;   /* the cause of the cycle just simulated */
    int64_t last_acc_op, last_acc_index;   /* the accumulator write of that cycle, or -1 */
    int64_t last_shift_op;  /* the op whose weights the shift chain moved in that cycle, or -1 */
    char fault[200];
};

static void set_fault(mxu_pe *pe, const char *msg, uint64_t x)
{
    if (!pe->fault[0])
        snprintf(pe->fault, sizeof pe->fault, "mxu per-PE engine, cycle %llu: %s",
                 (unsigned long long)x, msg);
}

const char *mxu_pe_fault(const mxu_pe *pe) { return pe->fault[0] ? pe->fault : NULL; }

void mxu_pe_free(mxu_pe *pe)
{
    if (!pe)
        return;
    for (int i = 0; i < 2; i++) {
        free(pe->a[i]);
        free(pe->actl[i]);
        free(pe->w[i]);
        free(pe->bv[i]);
        free(pe->ps[i]);
        free(pe->pv[i]);
    }
    free(pe->wsh);
    free(pe->in_a);
    free(pe->in_ctl);
    free(pe->in_b);
    free(pe->in_bv);
    free(pe->dsk);
    free(pe->dsk_v);
    free(pe->ring);
    free(pe->drain_s);
    free(pe->drains);
    free(pe->shifts);
    free(pe->ops);
    free(pe);
}

tp_status mxu_pe_new(const mxu_params *p, mxu_pe **out, tp_err *err)
{
    mxu_pe *pe;
    tp_status st;
    bool ok = true;
    *out = NULL;
    if ((st = mxu_params_check(p, err)) != TP_OK)
        return st;
    if (p->timing != TP_TIMING_PIPELINED)
        return tp_err_set(err, TP_ERR_UNSUPPORTED,
                          "the per-PE engine models the pipelined timing only; "
                          "tpu.array.timing=%s is a fast-engine accounting (use --engine fast)",
                          cfg_timing_name(p->timing));
    if (!(pe = calloc(1, sizeof *pe)))
        return tp_err_set(err, TP_ERR_NOMEM, "mxu per-PE engine: out of memory");
    pe->p = *p;
    pe->R = p->rows;
    pe->C = p->cols;
    pe->RING = p->rows + p->cols;
    pe->n = (size_t)p->rows * p->cols;
    pe->fp = p->dtype == TP_BF16;
    pe->os = p->dataflow == TP_DF_OS;
    for (int i = 0; i < 2; i++) {
        ok &= (pe->a[i] = calloc(pe->n, 4)) != NULL;
        ok &= (pe->actl[i] = calloc(pe->n, 1)) != NULL;
        ok &= (pe->ps[i] = calloc(pe->n, 4)) != NULL;
        ok &= (pe->pv[i] = calloc(pe->n, 1)) != NULL;
        if (pe->os || i == 0)
            ok &= (pe->w[i] = calloc(pe->n, 4)) != NULL;
        if (pe->os)
            ok &= (pe->bv[i] = calloc(pe->n, 1)) != NULL;
    }
    if (!pe->os && p->weight_double_buffer)
        ok &= (pe->wsh = calloc(pe->n, 4)) != NULL;
    ok &= (pe->in_a = calloc(pe->R, 4)) != NULL;
    ok &= (pe->in_ctl = calloc(pe->R, 1)) != NULL;
    ok &= (pe->in_b = calloc(pe->C, 4)) != NULL;
    ok &= (pe->in_bv = calloc(pe->C, 1)) != NULL;
    ok &= (pe->dsk = calloc((size_t)pe->C * pe->C, 4)) != NULL;
    ok &= (pe->dsk_v = calloc((size_t)pe->C * pe->C, 1)) != NULL;
    ok &= (pe->ring = calloc(pe->RING, sizeof *pe->ring)) != NULL;
    ok &= (pe->drain_s = malloc(pe->C * sizeof *pe->drain_s)) != NULL;
    /* os: a drain record lives from its op's last K step entering PE(R-1,0) until its last row
     * is written, C + R cycles; ops enter at least T + R >= R + 1 cycles apart, so at most
     * ceil((C + R) / (R + 1)) <= C records are alive at once */
    pe->cap_shifts = pe->os ? 0 : pe->C + 1;
    if (!pe->os)
        ok &= (pe->shifts = malloc(pe->cap_shifts * sizeof *pe->shifts)) != NULL;
    pe->cap_drains = pe->os ? pe->C + 1 : 0;
    if (pe->os)
        ok &= (pe->drains = malloc(pe->cap_drains * sizeof *pe->drains)) != NULL;
    if (!ok) {
        mxu_pe_free(pe);
        return tp_err_set(err, TP_ERR_NOMEM, "mxu per-PE engine: out of memory for a %ux%u array",
                          p->rows, p->cols);
    }
    for (uint32_t i = 0; i < pe->RING; i++)
        pe->ring[i].cycle = NO_CYCLE;
    for (uint32_t c = 0; c < pe->C; c++)
        pe->drain_s[c] = -1;
    pe->drain0_begun = true;
    *out = pe;
    return TP_OK;
}

tp_status mxu_pe_issue(mxu_pe *pe, const mxu_issue *is, uint32_t *id, tp_err *err)
{
    tp_status st;
    pe_op *o;
    if ((st = mxu_op_check(&pe->p, &is->op, err)) != TP_OK)
        return st;
    if (is->weights_ready < pe->now || is->inputs_ready < pe->now)
        return tp_err_set(err, TP_ERR_PROGRAM,
                          "mxu per-PE engine: op ready at cycle %llu, but cycle %llu is already simulated",
                          (unsigned long long)(is->weights_ready < is->inputs_ready ? is->weights_ready
                                                                                    : is->inputs_ready),
                          (unsigned long long)pe->now);
    if (pe->n_ops == UINT32_MAX)
        return tp_err_set(err, TP_ERR_NOMEM, "mxu per-PE engine: too many ops");
    if (pe->n_ops == pe->cap_ops) {
        uint32_t cap = pe->cap_ops ? (pe->cap_ops > UINT32_MAX / 2 ? UINT32_MAX : pe->cap_ops * 2) : 16;
        pe_op *n = realloc(pe->ops, (size_t)cap * sizeof *n);
        if (!n)
            return tp_err_set(err, TP_ERR_NOMEM, "mxu per-PE engine: out of memory for ops");
        pe->ops = n;
        pe->cap_ops = cap;
    }
    bool cont = pe->n_ops > 0 && pe->ops[pe->n_ops - 1].is.op.hold;
    if (cont && (pe->ops[pe->n_ops - 1].is.op.m != is->op.m || pe->ops[pe->n_ops - 1].is.op.n != is->op.n))
        return tp_err_set(err, TP_ERR_PROGRAM, "mxu per-PE engine: an op of %u x %u continues partial sums of %u x %u",
                          is->op.m, is->op.n, pe->ops[pe->n_ops - 1].is.op.m, pe->ops[pe->n_ops - 1].is.op.n);
    o = &pe->ops[pe->n_ops];
    memset(o, 0, sizeof *o);
    o->is = *is;
    o->cont = cont;
    o->T = mxu_op_stream_cycles(&pe->p, &is->op);
    o->L = mxu_op_load_cycles(&pe->p, &is->op);
    if (id)
        *id = pe->n_ops;
    pe->n_ops++;
    return TP_OK;
}

/* ---- operand access ---------------------------------------------------------------------- */

/* Element (i, k) of A, (k, j) of B as register values (int32 or float bits in a uint32 slot). */
static inline void load_elem(const mxu_pe *pe, const void *base, size_t off, void *dst, size_t di)
{
    if (pe->fp)
        ((float *)dst)[di] = dtype_bf16_to_f32(((const uint16_t *)base)[off]);
    else
        ((int32_t *)dst)[di] = ((const int8_t *)base)[off];
}

static inline void zero_elem(const mxu_pe *pe, void *dst, size_t di)
{
    if (pe->fp)
        ((float *)dst)[di] = 0.0f;
    else
        ((int32_t *)dst)[di] = 0;
}

/* Stationary tile element for array row q, column c (ws: B[q][c]; is: A[c][q]); 0 outside. */
static void tile_elem(const mxu_pe *pe, const pe_op *o, uint32_t q, uint32_t c, void *dst, size_t di)
{
    const mxu_issue *is = &o->is;
    if (pe->p.dataflow == TP_DF_WS) {
        if (q < is->op.k && c < is->op.n) {
            load_elem(pe, is->b, q * is->b_rs + c * is->b_cs, dst, di);
            return;
        }
    } else if (q < is->op.k && c < is->op.m) {
        load_elem(pe, is->a, c * is->a_rs + q * is->a_cs, dst, di);
        return;
    }
    zero_elem(pe, dst, di);
}

/* Writes one value into an op's accumulators: store or add, canonical NaN for bf16. */
static void acc_write(const mxu_pe *pe, const pe_op *o, uint32_t i, uint32_t j, const void *src, size_t si)
{
    const mxu_issue *is = &o->is;
    size_t off = (size_t)i * is->ldc + j;
    if (pe->fp) {
        float v = ((const float *)src)[si];
        float *c = (float *)is->c + off;
        *c = num_f32_canon(is->op.accumulate ? *c + v : v);
    } else {
        int32_t v = num_wrap_i32(((const uint32_t *)src)[si]);
        int32_t *c = (int32_t *)is->c + off;
        *c = is->op.accumulate ? num_i32_add(*c, v) : v;
    }
}

/* ---- the PE array update (one cycle), generated per dtype ---------------------------------- */

#define MAC_I8(p, a, w) ((p) + (uint32_t)((a) * (w)))
#define MAC_F(p, a, w) fmaf((a), (w), (p))

/* ws/is: activations right, partial sums down, swap on FIRST (double buffer). */
#define DEFINE_WS_UPDATE(NAME, TA, TP, MAC, ZERO)                                              \
    static void NAME(mxu_pe *pe)                                                               \
    {                                                                                          \
        const uint32_t R = pe->R, C = pe->C;                                                   \
        const int o = pe->cur, nx = !pe->cur;                                                  \
        const TA *ao = pe->a[o], *ain = pe->in_a;                                              \
        TA *an = pe->a[nx];                                                                    \
        const uint8_t *co = pe->actl[o], *cin = pe->in_ctl;                                    \
        uint8_t *cn = pe->actl[nx];                                                            \
        TA *w = pe->w[0];                                                                      \
        const TA *wsh = pe->wsh;                                                               \
        const TP *po = pe->ps[o];                                                              \
        TP *pn = pe->ps[nx];                                                                   \
        const uint8_t *pvo = pe->pv[o];                                                        \
        uint8_t *pvn = pe->pv[nx];                                                             \
        for (uint32_t r = 0; r < R; r++) {                                                     \
            const size_t ro = (size_t)r * C;                                                   \
            an[ro] = ain[r];                                                                   \
            cn[ro] = cin[r];                                                                   \
            memcpy(an + ro + 1, ao + ro, (C - 1) * sizeof(TA));                                \
            memcpy(cn + ro + 1, co + ro, (C - 1));                                             \
            if (wsh)                                                                           \
                for (uint32_t c = 0; c < C; c++)                                               \
                    w[ro + c] = (cn[ro + c] & CTL_FIRST) ? wsh[ro + c] : w[ro + c];           \
            if (r == 0) {                                                                      \
                for (uint32_t c = 0; c < C; c++) {                                             \
                    const int v = cn[c] & CTL_VALID;                                           \
                    pn[c] = v ? MAC(ZERO, an[c], w[c]) : ZERO;                                 \
                    pvn[c] = (uint8_t)v;                                                       \
                }                                                                              \
            } else {                                                                           \
                const TP *pa = po + ro - C;                                                    \
                for (uint32_t c = 0; c < C; c++) {                                             \
                    const TP above = pa[c];                                                    \
                    pn[ro + c] = (cn[ro + c] & CTL_VALID) ? MAC(above, an[ro + c], w[ro + c]) : above; \
                }                                                                              \
                memcpy(pvn + ro, pvo + ro - C, C);                                             \
            }                                                                                  \
        }                                                                                      \
    }

DEFINE_WS_UPDATE(ws_update_i8, int32_t, uint32_t, MAC_I8, 0u)
DEFINE_WS_UPDATE(ws_update_f, float, float, MAC_F, 0.0f)

/* os: A right, B down, MAC into the PE's accumulator; draining columns shift accumulators down. */
#define DEFINE_OS_UPDATE(NAME, TA, TP, MAC, ZERO)                                              \
    static void NAME(mxu_pe *pe, uint64_t x)                                                   \
    {                                                                                          \
        const uint32_t R = pe->R, C = pe->C;                                                   \
        const int o = pe->cur, nx = !pe->cur;                                                  \
        const TA *ao = pe->a[o], *ain = pe->in_a, *bo = pe->w[o], *bin = pe->in_b;             \
        TA *an = pe->a[nx], *bn = pe->w[nx];                                                   \
        const uint8_t *co = pe->actl[o], *cin = pe->in_ctl, *bvo = pe->bv[o], *bvin = pe->in_bv; \
        uint8_t *cn = pe->actl[nx], *bvn = pe->bv[nx];                                         \
        const TP *po = pe->ps[o];                                                              \
        TP *pn = pe->ps[nx];                                                                   \
        const uint8_t *pvo = pe->pv[o];                                                        \
        uint8_t *pvn = pe->pv[nx];                                                             \
        const int32_t *ds = pe->drain_s;                                                       \
        for (uint32_t r = 0; r < R; r++) {                                                     \
            const size_t ro = (size_t)r * C;                                                   \
            an[ro] = ain[r];                                                                   \
            cn[ro] = cin[r];                                                                   \
            memcpy(an + ro + 1, ao + ro, (C - 1) * sizeof(TA));                                \
            memcpy(cn + ro + 1, co + ro, (C - 1));                                             \
            if (r == 0) {                                                                      \
                memcpy(bn, bin, C * sizeof(TA));                                               \
                memcpy(bvn, bvin, C);                                                          \
            } else {                                                                           \
                memcpy(bn + ro, bo + ro - C, C * sizeof(TA));                                  \
                memcpy(bvn + ro, bvo + ro - C, C);                                             \
            }                                                                                  \
            for (uint32_t c = 0; c < C; c++) {                                                 \
                const size_t i = ro + c;                                                       \
                const int mac = (cn[i] & CTL_VALID) && bvn[i];                                 \
                if (ds[c] >= 0 && (int64_t)r >= ds[c]) {                                       \
                    if (mac)                                                                   \
                        set_fault(pe, "a PE multiplies while its column drains", x);          \
                    pn[i] = (int64_t)r == ds[c] ? ZERO : po[i - C];                           \
                    pvn[i] = (int64_t)r == ds[c] ? 0 : pvo[i - C];                            \
                } else if (mac) {                                                              \
                    if ((cn[i] & CTL_FIRST) && pvo[i])                                         \
                        set_fault(pe, "a new op overwrites an undrained accumulator", x);     \
                    pn[i] = MAC((cn[i] & CTL_FIRST) ? ZERO : po[i], an[i], bn[i]);            \
                    pvn[i] = 1;                                                                \
                } else {                                                                       \
                    pn[i] = po[i];                                                             \
                    pvn[i] = pvo[i];                                                           \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
    }

DEFINE_OS_UPDATE(os_update_i8, int32_t, uint32_t, MAC_I8, 0u)
DEFINE_OS_UPDATE(os_update_f, float, float, MAC_F, 0.0f)

/* ---- sequencer ---------------------------------------------------------------------------- */

/* Injects the streaming op's next element (a row of A for ws/is, a K step for os) at cycle x:
 * records its token in the ring and ends the stream after its T-th element. Returns whether
 * anything was injected. */
static bool inject(mxu_pe *pe, uint64_t x)
{
    if (!pe->streaming)
        return false;
    token *t = &pe->ring[x % pe->RING];
    pe_op *o = &pe->ops[pe->s_op];
    t->cycle = x;
    t->op = pe->s_op;
    t->idx = (uint32_t)pe->s_idx;
    if (++pe->s_idx == o->T) {
        pe->streaming = false;
        pe->next_stream++;
        o->tm.stream_end = x + 1;
        if (o->is.op.hold)
            pe->chain_open = true;
    }
    return true;
}

static const token *token_at(const mxu_pe *pe, uint64_t x, uint64_t delay)
{
    const token *t;
    if (x < delay)
        return NULL;
    t = &pe->ring[(x - delay) % pe->RING];
    return t->cycle == x - delay ? t : NULL;
}

/* Bottom of column c leaves the array at cycle x: into de-skew slot (x + C-1-c) mod C. */
static void deskew_put(mxu_pe *pe, uint64_t x, uint32_t c, const void *src, size_t si, uint8_t v)
{
    size_t slot = (size_t)((x + pe->C - 1 - c) % pe->C);
    size_t d = slot * pe->C + c;
    memcpy((char *)pe->dsk + d * 4, (const char *)src + si * 4, 4);
    pe->dsk_v[d] = v;
}

static void op_stream_done(mxu_pe *pe, pe_op *o, uint64_t x)
{
    (void)x;
    for (int k = 0; k < MXU_CAUSE__COUNT; k++) {
        o->tm.by_cause[k] = pe->causes[k] - pe->snap[k];
        pe->snap[k] = pe->causes[k];
    }
}

static void op_end(mxu_pe *pe, uint32_t id, uint64_t x, int *done, uint32_t *done_id)
{
    pe_op *o = &pe->ops[id];
    o->ended = true;
    o->tm.end = x + 1;
    if (o->tm.end > pe->last_busy_until)
        pe->last_busy_until = o->tm.end;
    o->tm.busy_until = pe->last_busy_until;
    pe->n_ended++;
    if (id != pe->n_ended - 1)
        set_fault(pe, "ops ended out of order", x);
    *done = 1;
    *done_id = id;
}

/* One cycle of a ws/is array. Returns 1 if an op ended in it. */
static int step_ws(mxu_pe *pe, uint32_t *done_id)
{
    const uint64_t x = pe->now;
    const uint32_t R = pe->R, C = pe->C;
    const bool db = pe->wsh != NULL, is_ws = pe->p.dataflow == TP_DF_WS;
    const uint8_t release_flag = db ? CTL_FIRST : CTL_LAST;
    bool busy = false, shifted = false;
    int done = 0;
    uint64_t in_flight_before;
    const token *tk;

    /* 1. start streaming the next op when its tile is complete and its inputs are ready */
    if (!pe->streaming && pe->next_stream < pe->n_ops && pe->reg_full &&
        pe->reg_tile == pe->next_stream && x >= pe->ops[pe->next_stream].is.inputs_ready) {
        pe->streaming = true;
        pe->s_op = pe->next_stream;
        pe->s_idx = 0;
        pe->ops[pe->s_op].tm.start = x;
    }
    /* 2. inject one streamed row into array row 0 */
    if (inject(pe, x)) {
        busy = true;
        pe->in_flight++;
    }
    /* 3. each array row reads its element of the row injected r cycles ago (input skew) */
    for (uint32_t r = 0; r < R; r++) {
        tk = token_at(pe, x, r);
        if (!tk) {
            pe->in_ctl[r] = 0;
            zero_elem(pe, pe->in_a, r);
            continue;
        }
        const pe_op *o = &pe->ops[tk->op];
        const mxu_issue *is = &o->is;
        uint8_t ctl = (uint8_t)((tk->idx == 0 ? CTL_FIRST : 0) | (tk->idx + 1 == o->T ? CTL_LAST : 0));
        if (r < is->op.k) {
            ctl |= CTL_VALID;
            if (is_ws)
                load_elem(pe, is->a, tk->idx * is->a_rs + r * is->a_cs, pe->in_a, r);
            else
                load_elem(pe, is->b, r * is->b_rs + tk->idx * is->b_cs, pe->in_a, r);
        } else {
            zero_elem(pe, pe->in_a, r);
        }
        pe->in_ctl[r] = ctl;
    }
    /* 4. weight shift: start when the register column 0's chain writes is free (observed on
     *    the flag that enters PE(R-1,0) this cycle) */
    {
        const uint8_t arriving = pe->in_ctl[R - 1];
        if (!pe->shifting && pe->next_load < pe->n_ops &&
            x >= pe->ops[pe->next_load].is.weights_ready && (!pe->reg_full || (arriving & release_flag))) {
            pe->shifting = true;
            pe->sh_op = pe->next_load;
            pe->sh_step = 0;
            pe->ops[pe->sh_op].tm.shift_start = x;
            if (pe->n_shifts == pe->cap_shifts)
                set_fault(pe, "too many weight shifts in flight", x);
            else
                pe->shifts[pe->n_shifts++] = (struct pe_shift){pe->sh_op, x};
        }
        if (arriving & release_flag)
            pe->reg_full = false;
    }
    /* 5. bottom row leaves into the de-skew */
    {
        const size_t last = (size_t)(R - 1) * C;
        for (uint32_t c = 0; c < C; c++)
            if (pe->pv[pe->cur][last + c])
                deskew_put(pe, x, c, pe->ps[pe->cur], last + c, 1);
    }
    /* 6. every PE */
    if (pe->fp)
        ws_update_f(pe);
    else
        ws_update_i8(pe);
    /* 7. weight shift chains move (after the PEs read this cycle's weights): column c of the
     *    shift begun at S takes its step x - S - c when that is in [0, L) */
    {
        const uint32_t g = pe->p.weight_rows_per_cycle;
        char *reg = db ? pe->wsh : pe->w[0];
        uint32_t keep = 0;
        for (uint32_t i = 0; i < pe->n_shifts; i++) {
            const struct pe_shift sh = pe->shifts[i];
            const pe_op *o = &pe->ops[sh.op];
            for (uint32_t c = 0; c < C; c++) {
                if (x < sh.start + c || x - sh.start - c >= o->L)
                    continue;
                uint64_t step = x - sh.start - c;
                for (uint32_t r = R; r-- > g;)
                    memcpy(reg + ((size_t)r * C + c) * 4, reg + ((size_t)(r - g) * C + c) * 4, 4);
                for (uint32_t p = 0; p < g && p < R; p++) {
                    uint64_t q = p + (uint64_t)g * (o->L - 1 - step);
                    if (q < R)
                        tile_elem(pe, o, (uint32_t)q, c, reg, (size_t)p * C + c);
                    else
                        zero_elem(pe, reg, (size_t)p * C + c);
                }
            }
            if (x + 1 < sh.start + o->L + C - 1)   /* its last column still has steps to take */
                pe->shifts[keep++] = sh;
        }
        pe->n_shifts = keep;
    }
    if (pe->shifting) {
        const pe_op *o = &pe->ops[pe->sh_op];
        shifted = true;
        pe->last_shift_op = pe->sh_op;
        if (++pe->sh_step == o->L) {   /* column 0 holds the whole tile */
            pe->shifting = false;
            pe->reg_full = true;
            pe->reg_tile = pe->sh_op;
            pe->next_load++;
        }
    }
    /* 8. the accumulators write the de-skewed row injected R + C - 1 cycles ago */
    in_flight_before = pe->in_flight;
    {
        size_t slot = (size_t)(x % C) * C;
        tk = token_at(pe, x, (uint64_t)R + C - 1);
        if (tk) {
            pe_op *o = &pe->ops[tk->op];
            uint32_t used = is_ws ? o->is.op.n : o->is.op.m;
            for (uint32_t c = 0; c < C; c++) {
                if (!pe->dsk_v[slot + c]) {
                    set_fault(pe, "the control path expects a result the data path lacks", x);
                    continue;
                }
                if (c < used) {
                    if (is_ws)
                        acc_write(pe, o, tk->idx, c, pe->dsk, slot + c);
                    else
                        acc_write(pe, o, c, tk->idx, pe->dsk, slot + c);
                }
            }
            pe->in_flight--;
            pe->last_acc_op = tk->op;
            pe->last_acc_index = tk->idx;
            if (tk->idx + 1 == o->T)
                op_end(pe, tk->op, x, &done, done_id);
        } else {
            for (uint32_t c = 0; c < C; c++)
                if (pe->dsk_v[slot + c])
                    set_fault(pe, "a result reaches the accumulators with no row to write", x);
        }
        memset(pe->dsk_v + slot, 0, C);
    }
    /* 9. this cycle's cause */
    pe->last_cause = busy ? MXU_BUSY : shifted ? MXU_WEIGHT_SHIFT : in_flight_before ? MXU_FILL_DRAIN : MXU_IDLE;
    pe->causes[pe->last_cause]++;
    if (busy && !pe->streaming)
        op_stream_done(pe, &pe->ops[pe->next_stream - 1], x);
    return done;
}

/* One cycle of an os array. Returns 1 if an op ended in it. */
static int step_os(mxu_pe *pe, uint32_t *done_id)
{
    const uint64_t x = pe->now;
    const uint32_t R = pe->R, C = pe->C;
    bool busy = false;
    int done = 0;
    uint64_t in_flight_before;
    const token *tk;

    /* 1. start the next op once column 0's drain of the previous one has begun */
    if (!pe->streaming && pe->next_stream < pe->n_ops &&
        (pe->ops[pe->next_stream].cont ? pe->chain_open : pe->drain0_begun)) {
        pe_op *o = &pe->ops[pe->next_stream];
        if (x >= o->is.inputs_ready && x >= o->is.weights_ready) {
            pe->streaming = true;
            pe->s_op = pe->next_stream;
            pe->s_idx = 0;
            if (o->cont)
                pe->chain_open = false;
            else
                pe->drain0_begun = false;
            pe->in_flight++;
            o->tm.start = x;
            o->tm.shift_start = x;
        }
    }
    /* 2. inject one K step */
    if (inject(pe, x))
        busy = true;
    /* 3. skewed inputs: A[r][k] into row r at t0 + k + r, B[k][c] into column c at t0 + k + c */
    for (uint32_t r = 0; r < R; r++) {
        tk = token_at(pe, x, r);
        pe->in_ctl[r] = 0;
        zero_elem(pe, pe->in_a, r);
        if (tk) {
            const pe_op *o = &pe->ops[tk->op];
            uint8_t ctl = (uint8_t)((tk->idx == 0 && !o->cont ? CTL_FIRST : 0) |
                                    (tk->idx + 1 == o->T && !o->is.op.hold ? CTL_LAST : 0));
            if (r < o->is.op.m) {
                ctl |= CTL_VALID;
                load_elem(pe, o->is.a, r * o->is.a_rs + tk->idx * o->is.a_cs, pe->in_a, r);
            }
            pe->in_ctl[r] = ctl;
            /* the LAST step entering PE(R-1,0) starts column 0's drain next cycle: record which
             * op the drained rows belong to and when they reach the accumulators */
            if (r == R - 1 && (ctl & CTL_LAST)) {
                if (pe->n_drains == pe->cap_drains)
                    set_fault(pe, "too many drains in flight", x);
                else
                    pe->drains[pe->n_drains++] = (drain_rec){tk->op, x + 1 + C - 1};
            }
        }
    }
    for (uint32_t c = 0; c < C; c++) {
        tk = token_at(pe, x, c);
        pe->in_bv[c] = 0;
        zero_elem(pe, pe->in_b, c);
        if (tk) {
            const pe_op *o = &pe->ops[tk->op];
            if (c < o->is.op.n) {
                pe->in_bv[c] = 1;
                load_elem(pe, o->is.b, tk->idx * o->is.b_rs + c * o->is.b_cs, pe->in_b, c);
            }
        }
    }
    /* 4. draining columns: the bottom accumulator leaves into the de-skew */
    {
        const size_t last = (size_t)(R - 1) * C;
        for (uint32_t c = 0; c < C; c++)
            if (pe->drain_s[c] >= 0)
                deskew_put(pe, x, c, pe->ps[pe->cur], last + c, pe->pv[pe->cur][last + c]);
    }
    /* 5. every PE */
    if (pe->fp)
        os_update_f(pe, x);
    else
        os_update_i8(pe, x);
    /* 6. drain bookkeeping: a column drains one step per cycle for R cycles; a LAST flag that
     *    entered the bottom PE this cycle starts its column's drain (step 0) next cycle */
    {
        const uint8_t *cn = pe->actl[!pe->cur];
        const size_t last = (size_t)(R - 1) * C;
        for (uint32_t c = 0; c < C; c++) {
            if (pe->drain_s[c] >= 0) {
                if (c == 0 && pe->drain_s[0] == 0)
                    pe->drain0_begun = true;
                if (++pe->drain_s[c] == (int32_t)R)
                    pe->drain_s[c] = -1;
            }
            if (cn[last + c] & CTL_LAST) {
                if (pe->drain_s[c] >= 0)
                    set_fault(pe, "a column drain starts before the previous one ended", x);
                pe->drain_s[c] = 0;
            }
        }
    }
    /* 7. the accumulators write drained row R-1-s of every column at write_start + s */
    in_flight_before = pe->in_flight;
    /* a held op ends when its last K step leaves PE(R-1,C-1) (nothing drains) */
    tk = token_at(pe, x, (uint64_t)R - 1 + C - 1);
    if (tk && pe->ops[tk->op].is.op.hold && tk->idx + 1 == pe->ops[tk->op].T) {
        pe->in_flight--;
        op_end(pe, tk->op, x, &done, done_id);
    }
    {
        size_t slot = (size_t)(x % C) * C;
        if (pe->n_drains && x >= pe->drains[0].write_start) {
            drain_rec d = pe->drains[0];
            pe_op *o = &pe->ops[d.op];
            uint64_t s = x - d.write_start;
            uint32_t i = (uint32_t)(R - 1 - s);
            if (i < o->is.op.m) {
                pe->last_acc_op = d.op;
                pe->last_acc_index = i;
            }
            for (uint32_t c = 0; c < C; c++) {
                bool want = i < o->is.op.m && c < o->is.op.n;
                if (want != (pe->dsk_v[slot + c] != 0))
                    set_fault(pe, "drained data and control disagree", x);
                if (want)
                    acc_write(pe, o, i, c, pe->dsk, slot + c);
            }
            if (s + 1 == R) {
                memmove(pe->drains, pe->drains + 1, (pe->n_drains - 1) * sizeof pe->drains[0]);
                pe->n_drains--;
                pe->in_flight--;
                op_end(pe, d.op, x, &done, done_id);
            }
        } else {
            for (uint32_t c = 0; c < C; c++)
                if (pe->dsk_v[slot + c])
                    set_fault(pe, "a result reaches the accumulators with no row to write", x);
        }
        memset(pe->dsk_v + slot, 0, C);
    }
    pe->last_cause = busy ? MXU_BUSY : in_flight_before ? MXU_FILL_DRAIN : MXU_IDLE;
    pe->causes[pe->last_cause]++;
    if (busy && !pe->streaming)
        op_stream_done(pe, &pe->ops[pe->next_stream - 1], x);
    return done;
}

/* The next cycle >= now at which anything can happen, when the array holds nothing;
 * NO_CYCLE if nothing pending can ever start. */
static uint64_t next_activity(const mxu_pe *pe)
{
    uint64_t nx = NO_CYCLE;
    if (pe->streaming || pe->shifting || pe->n_shifts || pe->in_flight)
        return pe->now;
    if (pe->os) {
        if (pe->next_stream < pe->n_ops) {
            const mxu_issue *is = &pe->ops[pe->next_stream].is;
            nx = is->inputs_ready > is->weights_ready ? is->inputs_ready : is->weights_ready;
        }
    } else {
        if (pe->next_stream < pe->n_ops && pe->reg_full && pe->reg_tile == pe->next_stream)
            nx = pe->ops[pe->next_stream].is.inputs_ready;
        if (pe->next_load < pe->n_ops && !pe->reg_full && pe->ops[pe->next_load].is.weights_ready < nx)
            nx = pe->ops[pe->next_load].is.weights_ready;
    }
    return nx < pe->now ? pe->now : nx;
}

static void observe(mxu_pe *pe)
{
    const int nx = pe->cur;   /* called after the swap: cur holds this cycle's new values */
    const token *in = &pe->ring[(pe->now - 1) % pe->RING];   /* injected this cycle? */
    const bool injected = in->cycle == pe->now - 1;
    mxu_pe_view v = {
        .cycle = pe->now - 1, .rows = pe->R, .cols = pe->C, .dtype = pe->p.dtype,
        .dataflow = pe->p.dataflow, .a = pe->a[nx], .a_valid = pe->actl[nx],
        .w = pe->os ? pe->w[nx] : pe->w[0], .w_valid = pe->os ? pe->bv[nx] : NULL,
        .ws = pe->wsh, .psum = pe->ps[nx], .psum_valid = pe->pv[nx],
        .cause = pe->last_cause, .acc_op = pe->last_acc_op, .acc_index = pe->last_acc_index,
        .stream_op = injected ? (int64_t)in->op : -1, .stream_index = injected ? (int64_t)in->idx : -1,
        .shift_op = pe->last_shift_op,
    };
    pe->obs(pe->obs_ctx, &v);
}

int mxu_pe_advance(mxu_pe *pe, uint64_t limit, uint32_t *done_id)
{
    uint32_t id = 0;
    while (pe->now < limit) {
        uint64_t nx = next_activity(pe);
        if (nx > pe->now) {
            uint64_t to = nx < limit ? nx : limit;
            pe->causes[MXU_IDLE] += to - pe->now;
            pe->now = to;
            continue;
        }
        pe->last_acc_op = pe->last_acc_index = pe->last_shift_op = -1;
        int done = pe->os ? step_os(pe, &id) : step_ws(pe, &id);
        pe->cur = !pe->cur;
        pe->now++;
        pe->pe_cycles += pe->n;
        if (pe->obs)
            observe(pe);
        if (done) {
            if (done_id)
                *done_id = id;
            return 1;
        }
    }
    return 0;
}

void mxu_pe_finish(mxu_pe *pe)
{
    while (pe->n_ended < pe->n_ops && !pe->fault[0])
        mxu_pe_advance(pe, NO_CYCLE, NULL);
}

uint64_t mxu_pe_now(const mxu_pe *pe) { return pe->now; }
uint64_t mxu_pe_pe_cycles(const mxu_pe *pe) { return pe->pe_cycles; }

const mxu_timing *mxu_pe_op_timing(const mxu_pe *pe, uint32_t id)
{
    return id < pe->n_ops && pe->ops[id].ended ? &pe->ops[id].tm : NULL;
}

void mxu_pe_close(const mxu_pe *pe, uint64_t until, uint64_t by_cause[MXU_CAUSE__COUNT])
{
    for (int k = 0; k < MXU_CAUSE__COUNT; k++)
        by_cause[k] += pe->causes[k] - pe->snap[k];
    if (until > pe->now)
        by_cause[MXU_IDLE] += until - pe->now;
}

void mxu_pe_set_observer(mxu_pe *pe, mxu_pe_observer fn, void *ctx)
{
    pe->obs = fn;
    pe->obs_ctx = ctx;
}
