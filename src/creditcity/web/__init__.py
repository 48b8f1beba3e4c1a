"""The portal: server-rendered pages for residents and the operator, in Chinese and English."""
