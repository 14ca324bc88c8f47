/* Calendar arithmetic for dates in protocols: proleptic Gregorian days <-> y/m/d. */
#ifndef OLSYNC_CIVIL_H
#define OLSYNC_CIVIL_H

#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31); H. Hinnant's algorithm. */
int64_t ols_days_from_civil(int64_t y, unsigned m, unsigned d);
void ols_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
