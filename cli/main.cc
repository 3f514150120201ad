#include "cli/app.h"

int main(int argc, char** argv) { return vigy::cli::Main(argc, argv); }
