# Canonical save keys for busybox awk (docs/protocol.md, "Flat folders"): the server matches saves
# by normalizeSaveKey (packages/core/src/key/save-key.ts) — game and core names NFC-normalized,
# case-folded and with white space collapsed. Run with tables.awk and keys.awk:
#   stdin: TAB-separated lines whose column COL (default 1) is a percent-encoded key
#   out:   the same lines with the canonical key, percent-encoded, added as the last column ("!"
#          + the key as given when it is not a valid key, so it never matches a valid one).
# Limit: busybox awk has no Unicode tables; nfc() composes the combining marks listed in
# tables/identity.tsv (accents on Latin letters, kana voicing) and lower() folds the letters
# listed there — other scripts compare byte for byte.
BEGIN { FS = "\t"; load_tables(); if (COL == "") COL = 1 }
{ print $0 "\t" (decode_key($COL) == "" ? encode_key(normalized_key()) : "!" $COL) }
