/* A program outside the tree, built against an installed tpusim (tests/check_install.sh):
 *   cc -I$PREFIX/include/tpusim gemm_demo.c -L$PREFIX/lib -ltpusim $(pkg-config --libs yaml-0.1) -lm -pthread
 *   ./a.out CONFIG.yaml M N K      prints "cycles N" and "match yes|no"
 * It runs the GEMM through the library as `tpusim gemm` does: the tiling search, then the plan
 * on the machine with random inputs (seed 1) and the reference check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "tiler/run.h"
#include "tiler/tiler.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s CONFIG.yaml M N K\n", argv[0]);
        return 2;
    }
    tp_err err = {0};
    tp_config cfg;
    if (cfg_load(argv[1], NULL, 0, &cfg, &err) != TP_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    gemm_problem pb = {(uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]), (uint32_t)atoi(argv[4]), 1, TP_INT8, false,
                       false};
    tiler_opts to;
    memset(&to, 0, sizeof to);
    to.double_buffer = -1;   /* the search decides, as gemm's default --double-buffer auto */
    tiler_plan plan;
    if (tiler_search(&cfg, &pb, &to, &plan, NULL, NULL, NULL, &err) != TP_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    tiler_run_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.seed = 1;
    ro.check = true;
    tiler_result r;
    if (tiler_run(&cfg, &pb, &plan, &ro, &r, &err) != TP_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    printf("cycles %llu\nmatch %s\n", (unsigned long long)r.stats.cycles, r.checked && r.match ? "yes" : "no");
    tiler_result_free(&r);
    return 0;
}
