#include "base/yaml_depth.h"
#include <yaml.h>

tp_status yaml_check_depth(const char *name, const char *flag, const char *text, size_t len, int max, tp_err *err)
{
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps))
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory for the YAML parser", flag ? flag : name);
    yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
    tp_status st = TP_OK;
    int depth = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&ps, &ev))
            break;   /* a syntax error: the real parse reports it */
        yaml_event_type_t t = ev.type;
        if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) {
            if (++depth > max) {
                if (flag)
                    st = tp_err_set(err, TP_ERR_PARSE, "--set %s: YAML nesting is deeper than %d levels", flag, max);
                else
                    st = tp_err_at(err, TP_ERR_PARSE, name, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                                   "YAML nesting is deeper than %d levels", max);
            }
        } else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&ev);
        if (st != TP_OK || t == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&ps);
    return st;
}
