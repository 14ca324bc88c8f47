/* windows.h in portable code: forbidden */
#include <windows.h>
