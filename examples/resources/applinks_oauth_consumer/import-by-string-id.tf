import {
  to = applinks_oauth_consumer.jenkins_incoming
  id = "85525cbd-5ca9-3db7-a8eb-6b5f420b895d/incoming"
}
