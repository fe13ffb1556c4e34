#include "support/compare.h"
