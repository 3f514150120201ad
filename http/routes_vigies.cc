#include "http/api_context.h"

namespace vigy::http {

void AddVigyRoutes(Router&, ApiContext&) {}

}  // namespace vigy::http
