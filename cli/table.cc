#include "cli/table.h"

#include <algorithm>

namespace vigy::cli {

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<Cell> cells) {
  cells.resize(headers_.size(), Cell(""));
  rows_.push_back(std::move(cells));
}

std::string Table::Render(const Output& out) const {
  std::vector<size_t> widths(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = headers_[c].size();
    for (const std::vector<Cell>& row : rows_) widths[c] = std::max(widths[c], row[c].text.size());
  }
  auto line = [&](auto cell_at) {
    std::string text;
    for (size_t c = 0; c < headers_.size(); ++c) {
      const Cell cell = cell_at(c);
      bool last = c + 1 == headers_.size();
      std::string padded = cell.text;
      if (!last) padded.append(widths[c] - cell.text.size() + 2, ' ');
      // Paint only the text, not the padding.
      text += out.Paint(cell.style, cell.text) + padded.substr(cell.text.size());
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + '\n';
  };
  std::string text = line([&](size_t c) { return Cell(headers_[c], Style::kBold); });
  for (const std::vector<Cell>& row : rows_) text += line([&](size_t c) { return row[c]; });
  return text;
}

}  // namespace vigy::cli
