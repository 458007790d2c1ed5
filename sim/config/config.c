/* PLACEHOLDER: replaced by the config module (YAML loader). */
#include "config/config.h"
tp_status cfg_load(const char *path, const char *const *sets, int n_sets, tp_config *out, tp_err *err)
{
    (void)path; (void)sets; (void)n_sets; (void)out;
    return tp_err_set(err, TP_ERR_CONFIG, "configuration loading is not available in this build yet");
}
