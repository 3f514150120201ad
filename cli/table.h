// Aligned text tables for listings (`list`, `runs`, `show`): a header row and
// left-aligned columns two spaces apart, with no trailing spaces. Colour is
// applied after padding, so escape codes never upset the alignment.
#pragma once

#include <string>
#include <vector>

#include "cli/output.h"

namespace vigy::cli {

struct Cell {
  Cell(std::string text, Style style = Style::kPlain)
      : text(std::move(text)), style(style) {}  // NOLINT
  Cell(const char* text) : text(text) {}        // NOLINT
  std::string text;
  Style style = Style::kPlain;
};

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // A row with one cell per header (missing cells are empty, extra ones
  // dropped).
  void AddRow(std::vector<Cell> cells);
  size_t size() const { return rows_.size(); }

  // The header and every row, each line ending in a newline.
  std::string Render(const Output& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace vigy::cli
