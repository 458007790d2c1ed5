/* One YAML document (base/yaml_one.h): the load that workload.c and sweep.c share. */
#include "base/yaml_one.h"
#include "base/text.h"
#include "base/yaml_depth.h"
#include <yaml.h>

/* libyaml's error, positioned: reader errors (bad UTF-8, control characters) carry only a byte
 * offset, the others a mark. */
static tp_status syntax_error(const yaml_parser_t *ps, const char *name, const char *text, size_t len, tp_err *err)
{
    int line, col;
    if (ps->error == YAML_READER_ERROR) {
        text_line_col(text, len, ps->problem_offset, &line, &col);
    } else {
        const yaml_mark_t *m = ps->problem ? &ps->problem_mark : &ps->context_mark;
        line = (int)m->line + 1;
        col = (int)m->column + 1;
    }
    return tp_err_at(err, TP_ERR_PARSE, name, line, col, "%s", ps->problem ? ps->problem : "YAML syntax error");
}

tp_status yaml_load_one(const char *name, const char *what, const char *text, size_t len, yaml_one_walk walk,
                        void *ctx, tp_err *err)
{
    tp_status st;
    if ((st = yaml_check_depth(name, NULL, text, len, YAML_MAX_DEPTH, err)) != TP_OK)
        return st;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return tp_err_set(err, TP_ERR_NOMEM, "%s: cannot initialise the YAML parser", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        st = syntax_error(&parser, name, text, len, err);
        yaml_parser_delete(&parser);
        return st;
    }
    st = walk(ctx, &doc, yaml_document_get_root_node(&doc), err);
    yaml_document_delete(&doc);
    if (st == TP_OK) {
        /* exactly one document: a second one would otherwise be ignored */
        if (!yaml_parser_load(&parser, &doc)) {
            st = syntax_error(&parser, name, text, len, err);
        } else {
            const yaml_node_t *r2 = yaml_document_get_root_node(&doc);
            if (r2)
                st = tp_err_at(err, TP_ERR_PARSE, name, (int)r2->start_mark.line + 1, (int)r2->start_mark.column + 1,
                               "%s holds one YAML document; found a second one", what);
            yaml_document_delete(&doc);
        }
    }
    yaml_parser_delete(&parser);
    return st;
}
