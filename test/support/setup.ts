// Filled by the local-stack work.
