// Bump allocation for everything one evaluation (or one compiled program)
// creates. Nothing is freed one object at a time: the whole arena goes at once,
// which is what makes a tick's memory use bounded, measurable and leak-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace vigy::lisp {

// Thrown by Arena::Allocate when the cap is exceeded. The evaluator turns it
// into a limit failure that `try` cannot catch.
struct ArenaExhausted {
  size_t cap = 0;
};

class Arena {
 public:
  // cap: total bytes this arena may hand out (0 = unlimited).
  explicit Arena(size_t cap = 0) : cap_(cap) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();

  // Returns `size` bytes aligned to 8 (16 for larger alignments is not needed:
  // no object stored here asks for more). Throws ArenaExhausted past the cap.
  void* Allocate(size_t size) {
    size = (size + 7) & ~size_t{7};
    if (size <= static_cast<size_t>(end_ - cursor_)) {
      void* p = cursor_;
      cursor_ += size;
      used_ += size;
      return p;
    }
    return AllocateSlow(size);
  }

  // Constructs a trivially destructible T in the arena (no destructor will run).
  template <typename T, typename... Args>
  T* New(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    return new (Allocate(sizeof(T))) T{static_cast<Args&&>(args)...};
  }

  // Bytes handed out so far (what the memory cap is compared with).
  size_t used() const { return used_; }
  size_t cap() const { return cap_; }
  void set_cap(size_t cap) { cap_ = cap; }

  // Forgets every object; keeps the first block for reuse.
  void Reset();

 private:
  void* AllocateSlow(size_t size);

  size_t cap_;
  size_t used_ = 0;
  char* cursor_ = nullptr;
  char* end_ = nullptr;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t next_block_size_ = size_t{64} * 1024;
  size_t first_block_size_ = 0;
};

}  // namespace vigy::lisp
