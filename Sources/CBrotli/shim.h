// Brotli's one-shot encoder (libbrotli-dev), for responses compressed once when stored.
#ifndef CBROTLI_SHIM_H
#define CBROTLI_SHIM_H

#include <brotli/encode.h>

#endif
