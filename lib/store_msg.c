/* store_msg.c: the msg area's tables and queries (see store.h).
 * Placeholder schema until the area lands. */
#include "store_int.h"

const char md_store_schema_msg[] = "";
