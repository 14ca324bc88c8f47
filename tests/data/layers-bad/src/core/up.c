/* core reaching up into imap: forbidden */
#include "imap/parser.h"
