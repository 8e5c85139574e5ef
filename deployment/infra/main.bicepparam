// Parameters for `az deployment group create --template-file deployment/infra/main.bicep
// --parameters deployment/infra/main.bicepparam`. Values come from environment variables of the
// shell that runs the command (deployment/README.md, step 4), so no secret is ever written here.
// Every other parameter keeps the default described in main.bicep.
using './main.bicep'

param baseName = readEnvironmentVariable('RESOURCE_BASE_NAME', 'kraenkelser')
param botAppId = readEnvironmentVariable('MicrosoftAppId')
param botAppPassword = readEnvironmentVariable('MicrosoftAppPassword')
param tenantId = readEnvironmentVariable('MicrosoftAppTenantId')
param leaderDirectoryFile = readEnvironmentVariable('LEADER_DIRECTORY_FILE', '')
param graphEnabled = bool(readEnvironmentVariable('GRAPH_ENABLED', 'false'))
param hrAadObjectIds = readEnvironmentVariable('HR_AAD_OBJECT_IDS', '')
param hrGroupId = readEnvironmentVariable('HR_GROUP_ID', '')
param adminAadObjectIds = readEnvironmentVariable('ADMIN_AAD_OBJECT_IDS', '')
