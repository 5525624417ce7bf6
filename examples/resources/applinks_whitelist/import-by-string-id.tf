import {
  to = applinks_whitelist.this
  id = "whitelist"
}
