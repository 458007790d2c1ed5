#include "harness.h"
#include "support.h"
#include "tpu/asm.h"
#include "tpu/machine.h"

void ts_run_timing(const char *cfg_path, const char *const *sets, int n_sets, const char *text,
                   uint32_t n, uint64_t *start, uint64_t *end, tp_stats *st)
{
    tp_config cfg;
    tp_err err = {0};
    char path[512];
    if (cfg_load(cfg_path ? th_path(path, sizeof path, cfg_path) : NULL, sets, n_sets, &cfg, &err))
        fail_msg("%s", err.msg);
    isa_program p;
    if (asm_parse("test.tpu", text, &cfg.tpu, &p, &err))
        fail_msg("%s", err.msg);
    machine *m;
    assert_int_equal(machine_new(&cfg, MACHINE_FAST, &m, &err), TP_OK);
    assert_int_equal(machine_load(m, &p, &err), TP_OK);
    machine_set_timing_only(m, true);
    if (machine_run(m, &err))
        fail_msg("%s", err.msg);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(machine_instr_times(m, i, &start[i], &end[i], &err), TP_OK);
    if (st)
        assert_int_equal(stats_copy(st, machine_stats(m), &err), TP_OK);
    machine_free(m);
    isa_free(&p);
}
