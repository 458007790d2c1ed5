/* The commands' --plot: a roofline of a model's layers (report/plot.h), written after the
 * command's other outputs so a missing gnuplot costs only the plot. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "report/plot.h"

size_t cli_roof_add(cli_roofs *r, const char *name, double peak_ops_per_s, double peak_bytes_per_s)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->roof[i].peak_ops_per_s == peak_ops_per_s &&
            (r->roof[i].peak_bytes_per_s == peak_bytes_per_s ||
             (!isfinite(r->roof[i].peak_bytes_per_s) && !isfinite(peak_bytes_per_s))))
            return i;
    if (r->n == CLI_MAX_ROOFS)
        return r->n - 1;
    snprintf(r->name[r->n], sizeof r->name[r->n], "%s", name);
    r->roof[r->n] = (plot_roof){r->name[r->n], peak_ops_per_s, peak_bytes_per_s};
    return r->n++;
}

int cli_plot_roofline(const char *svg_path, const char *title, const plot_point *pts, size_t n, const cli_roofs *r)
{
    tp_err err = {0};
    plot_roofline_spec s = {title, pts, n, r->roof, r->n};
    if (plot_roofline(&s, "--plot", svg_path, &err) != TP_OK)
        return cli_fail(&err);
    return 0;
}
