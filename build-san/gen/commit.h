#define KC_COMMIT "66bb9cb"
