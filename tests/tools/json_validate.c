/* json_validate SCHEMA.json DOC.json  (DOC may be "-" for stdin)
 *
 * Validates a JSON document against a schema in the JSON Schema subset described in jsonv.c.
 * Exit 0: valid, silently. Exit 1: DOC is malformed ("DOC:LINE:COL: what") or invalid
 * ("DOC: /json/pointer: what"). Exit 2: a file cannot be read, the schema is malformed
 * ("SCHEMA:LINE:COL: what") or uses something outside the subset ("SCHEMA: /pointer: what"),
 * or the usage is wrong. Every failure is one line on stderr. A test tool, not installed. */
#include "jsonv.h"
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: json_validate SCHEMA.json DOC.json  (DOC may be - for stdin)\n");
        return 2;
    }
    return jv_run(argv[1], argv[2], stderr);
}
