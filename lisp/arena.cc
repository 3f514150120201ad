#include "lisp/arena.h"

#include <algorithm>

namespace vigy::lisp {

Arena::~Arena() = default;

void* Arena::AllocateSlow(size_t size) {
  if (cap_ != 0 && used_ + size > cap_) throw ArenaExhausted{cap_};
  // Large objects get a block of their own so the current block keeps its tail.
  if (size > next_block_size_ / 4) {
    blocks_.push_back(std::unique_ptr<char[]>(new char[size]));
    used_ += size;
    return blocks_.back().get();
  }
  blocks_.push_back(std::unique_ptr<char[]>(new char[next_block_size_]));
  if (blocks_.size() == 1) first_block_size_ = next_block_size_;
  cursor_ = blocks_.back().get();
  end_ = cursor_ + next_block_size_;
  next_block_size_ = std::min<size_t>(next_block_size_ * 2, size_t{8} * 1024 * 1024);
  void* p = cursor_;
  cursor_ += size;
  used_ += size;
  return p;
}

void Arena::Reset() {
  // Keep the first block: an evaluation that fits in it reuses it with no
  // allocation at all.
  used_ = 0;
  next_block_size_ = size_t{64} * 1024;
  if (!blocks_.empty() && first_block_size_ == next_block_size_) {
    blocks_.resize(1);
    cursor_ = blocks_[0].get();
    end_ = cursor_ + first_block_size_;
  } else {
    blocks_.clear();
    cursor_ = end_ = nullptr;
  }
}

}  // namespace vigy::lisp
