# Import an OAuth consumer by its link id and direction (incoming or outgoing).
terraform import applinks_oauth_consumer.jenkins_incoming 85525cbd-5ca9-3db7-a8eb-6b5f420b895d/incoming
